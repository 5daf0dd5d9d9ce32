// API keys over HTTP: shown once, listed without secrets, own-only deletion,
// scopes and binding, expiry, and cross-app object ids refused.
import { beforeAll, describe, expect, test } from "bun:test";
import { eachDriver, startPicloud } from "../support/picloud.ts";

const HELLO = `export default { fetch() { return new Response("hi"); } };`;
const PW = "correct-horse-battery";

eachDriver((driver) => {
  describe(`${driver}: API keys`, () => {
    const pic = startPicloud({ driver });
    const adm = (method: string, path: string, body?: unknown, token?: string) =>
      pic.api(method, `/api/v1/admin${path}`, body, { token: token ?? null });
    let owner: string;
    let appA: { id: string };
    let appB: { id: string };

    beforeAll(async () => {
      owner = await pic.login();
      appA = (await adm("POST", "/apps", { slug: "keys-a", name: "A" }, owner)).body;
      appB = (await adm("POST", "/apps", { slug: "keys-b", name: "B" }, owner)).body;
    });

    test("the raw token is shown once: at mint; lists carry no secret", async () => {
      const r = await adm("POST", "/api-keys", { name: "ci", scopes: ["script:read", "app:read"] }, owner);
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ name: "ci", scopes: ["script:read", "app:read"], app_id: null, expires_at: null });
      expect(r.body.token).toMatch(/^pic_[a-z2-7]{52}$/);
      expect(r.body.token.startsWith(r.body.prefix)).toBe(true);
      const list = await adm("GET", "/api-keys", undefined, owner);
      expect(list.status).toBe(200);
      const listed = list.body.find((k: any) => k.id === r.body.id);
      expect(listed).toMatchObject({ id: r.body.id, name: "ci", prefix: r.body.prefix });
      expect(listed.token).toBeUndefined();
      expect(JSON.stringify(list.body)).not.toContain(r.body.token.slice(r.body.prefix.length));
      expect(JSON.stringify(list.body)).not.toMatch(/hash/);
      // The key works, and its use is recorded.
      expect((await adm("GET", "/apps", undefined, r.body.token)).status).toBe(200);
      // last_used_at is written off the request path: wait for it rather than race it.
      let after: any;
      for (let i = 0; i < 50; i++) {
        after = (await adm("GET", "/api-keys", undefined, owner)).body.find((k: any) => k.id === r.body.id);
        if (after.last_used_at !== null) break;
        await Bun.sleep(20);
      }
      expect(after.last_used_at).not.toBeNull();
    });

    test("validation: scopes, binding, expiry", async () => {
      const cases: Array<[unknown, string]> = [
        [{ name: "", scopes: ["app:read"] }, "name"],
        [{ name: "x", scopes: [] }, "scopes"],
        [{ name: "x", scopes: ["app:everything"] }, "scopes.0"],
        [{ name: "x", scopes: ["app:read", "instance:read"], app_id: appA.id }, "scopes"],
        [{ name: "x", scopes: ["instance:admin"], app_id: appA.id }, "scopes"],
        [{ name: "x", scopes: ["app:read"], app_id: "00000000-0000-4000-8000-000000000000" }, "app_id"],
        [{ name: "x", scopes: ["app:read"], expires_at: "yesterday" }, "expires_at"],
        [{ name: "x", scopes: ["app:read"], expires_at: "2000-01-01T00:00:00Z" }, "expires_at"],
      ];
      for (const [body, field] of cases) {
        const r = await adm("POST", "/api-keys", body, owner);
        expect([JSON.stringify(body), r.status, r.body.error?.field]).toEqual([JSON.stringify(body), 422, field]);
      }
    });

    test("a member cannot bind a key to an app it cannot see (422, same as a missing app)", async () => {
      await adm("POST", "/admins", { username: "keymember", password: PW }, owner);
      const t = (await adm("POST", "/auth/login", { username: "keymember", password: PW })).body.token;
      const r = await adm("POST", "/api-keys", { name: "x", scopes: ["app:read"], app_id: appA.id }, t);
      expect([r.status, r.body.error.field]).toEqual([422, "app_id"]);
    });

    test("delete your own key (204, then 401 at once); someone else's is 404", async () => {
      const mine = (await adm("POST", "/api-keys", { name: "mine", scopes: ["app:read"] }, owner)).body;
      expect((await adm("GET", "/apps", undefined, mine.token)).status).toBe(200); // cached now
      await adm("POST", "/admins", { username: "other-keyholder", password: PW, instance_role: "admin" }, owner);
      const other = (await adm("POST", "/auth/login", { username: "other-keyholder", password: PW })).body.token;
      expect((await adm("DELETE", `/api-keys/${mine.id}`, undefined, other)).status).toBe(404);
      expect((await adm("GET", "/apps", undefined, mine.token)).status).toBe(200);
      expect((await adm("DELETE", `/api-keys/${mine.id}`, undefined, owner)).status).toBe(204);
      expect((await adm("GET", "/apps", undefined, mine.token)).status).toBe(401);
      expect((await adm("DELETE", `/api-keys/${mine.id}`, undefined, owner)).status).toBe(404);
      expect((await adm("DELETE", "/api-keys/not-a-uuid", undefined, owner)).status).toBe(404);
    });

    test("keys cannot manage keys (a key could otherwise mint itself a wider one)", async () => {
      const k = (await adm("POST", "/api-keys", { name: "k", scopes: ["app:admin"] }, owner)).body.token;
      expect((await adm("POST", "/api-keys", { name: "wider", scopes: ["instance:admin"] }, k)).status).toBe(403);
      expect((await adm("GET", "/api-keys", undefined, k)).status).toBe(403);
    });

    test("an expired key is refused", async () => {
      const expiresAt = new Date(Date.now() + 1500).toISOString();
      const k = (await adm("POST", "/api-keys", { name: "short", scopes: ["app:read"], expires_at: expiresAt }, owner)).body;
      expect(k.expires_at).toBe(expiresAt);
      expect((await adm("GET", "/apps", undefined, k.token)).status).toBe(200);
      await Bun.sleep(Date.parse(expiresAt) - Date.now() + 50);
      expect((await adm("GET", "/apps", undefined, k.token)).status).toBe(401);
    });

    test("cross-app object ids are refused with 404 (a path for app A never reaches B's objects)", async () => {
      const scriptB = (await adm("POST", "/scripts", { app_id: appB.id, name: "sb", source: HELLO }, owner)).body;
      const domainB = (await adm("POST", `/apps/${appB.id}/domains`, { domain: "b.example.net" }, owner)).body;
      const u = (await adm("POST", "/admins", { username: "b-member", password: PW }, owner)).body;
      expect((await adm("POST", `/apps/${appB.id}/members`, { user_id: u.id, role: "editor" }, owner)).status).toBe(201);
      const bound = (await adm("POST", "/api-keys", { name: "a-only", scopes: ["app:admin"], app_id: appA.id }, owner)).body.token;

      // Owner session, A's path, B's objects.
      expect((await adm("DELETE", `/apps/${appA.id}/domains/${domainB.id}`, undefined, owner)).status).toBe(404);
      expect((await adm("PATCH", `/apps/${appA.id}/members/${u.id}`, { role: "viewer" }, owner)).status).toBe(404);
      // A key bound to A, anything of B.
      expect((await adm("GET", `/scripts/${scriptB.id}`, undefined, bound)).status).toBe(404);
      expect((await adm("PATCH", `/scripts/${scriptB.id}`, { description: "x" }, bound)).status).toBe(404);
      expect((await adm("GET", `/apps/${appB.id}`, undefined, bound)).status).toBe(404);
      expect((await adm("DELETE", `/apps/${appB.id}/domains/${domainB.id}`, undefined, bound)).status).toBe(404);
      expect((await adm("POST", "/scripts", { app_id: appB.id, name: "sneak", source: HELLO }, bound)).status).toBe(422);
      // B's objects are untouched.
      expect((await adm("GET", `/apps/${appB.id}/domains`, undefined, owner)).body.map((d: any) => d.id)).toEqual([domainB.id]);
      expect((await adm("GET", `/apps/${appB.id}/members`, undefined, owner)).body.map((m: any) => m.role)).toEqual(["editor"]);
    });
  });
});
