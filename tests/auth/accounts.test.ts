// Accounts over HTTP: guards that keep an instance administrable, escalation
// refused, email merge-patch semantics, deactivation ending access at once.
import { beforeAll, describe, expect, test } from "bun:test";
import { eachDriver, startPicloud } from "../support/picloud.ts";

const PW = "correct-horse-battery";

eachDriver((driver) => {
  describe(`${driver}: accounts`, () => {
    const pic = startPicloud({ driver });
    let owner: string;
    const adm = (method: string, path: string, body?: unknown, token?: string, headers?: Record<string, string>) =>
      pic.api(method, `/api/v1/admin${path}`, body, { token: token ?? null, headers });
    const login = async (username: string, password = PW) => {
      const r = await adm("POST", "/auth/login", { username, password });
      expect(r.status).toBe(200);
      return r.body.token as string;
    };
    const createUser = async (username: string, instance_role = "member", extra: Record<string, unknown> = {}) => {
      const r = await adm("POST", "/admins", { username, password: PW, instance_role, ...extra }, owner);
      expect(r.status).toBe(201);
      return r.body as { id: string; username: string; email: string | null };
    };

    beforeAll(async () => {
      owner = await pic.login();
    });

    test("the bootstrap account is the only, active owner; its row has no secrets", async () => {
      const r = await adm("GET", "/admins", undefined, owner);
      expect(r.status).toBe(200);
      const me = r.body.find((u: any) => u.username === pic.admin.username);
      expect(me).toMatchObject({ instance_role: "owner", is_active: true, email: null });
      expect(JSON.stringify(r.body)).not.toContain("password");
    });

    test("the last active owner cannot be deleted, deactivated or demoted (409); with a second owner it can", async () => {
      const me = (await adm("GET", "/auth/me", undefined, owner)).body;
      for (const [method, body] of [["PATCH", { is_active: false }], ["PATCH", { instance_role: "admin" }], ["DELETE", undefined]] as const) {
        const r = await adm(method, `/admins/${me.id}`, body, owner);
        expect([method, JSON.stringify(body), r.status, r.body.error?.code]).toEqual([method, JSON.stringify(body), 409, "conflict"]);
      }
      const second = await createUser("owner2", "owner");
      // Now the first could be demoted; demote the second instead and check the guard is back.
      expect((await adm("PATCH", `/admins/${second.id}`, { instance_role: "admin" }, owner)).status).toBe(200);
      expect((await adm("DELETE", `/admins/${me.id}`, undefined, owner)).status).toBe(409);
      // A deactivated owner does not count as the active one that must remain.
      const third = await createUser("owner3", "owner");
      expect((await adm("PATCH", `/admins/${third.id}`, { is_active: false }, owner)).status).toBe(200);
      expect((await adm("PATCH", `/admins/${me.id}`, { is_active: false }, owner)).status).toBe(409);
      expect((await adm("DELETE", `/admins/${third.id}`, undefined, owner)).status).toBe(204);
    });

    test("escalation is refused: admins cannot grant or touch owner, members cannot promote themselves", async () => {
      const admin = await createUser("esc-admin", "admin");
      const member = await createUser("esc-member");
      const adminToken = await login("esc-admin");
      const memberToken = await login("esc-member");
      const me = (await adm("GET", "/auth/me", undefined, owner)).body;

      expect((await adm("POST", "/admins", { username: "x-owner", password: PW, instance_role: "owner" }, adminToken)).status).toBe(403);
      expect((await adm("PATCH", `/admins/${admin.id}`, { instance_role: "owner" }, adminToken)).status).toBe(403);
      expect((await adm("PATCH", `/admins/${member.id}`, { instance_role: "owner" }, adminToken)).status).toBe(403);
      expect((await adm("PATCH", `/admins/${me.id}`, { email: "mine@example.com" }, adminToken)).status).toBe(403);
      expect((await adm("DELETE", `/admins/${me.id}`, undefined, adminToken)).status).toBe(403);
      // Admins do manage non-owners.
      expect((await adm("PATCH", `/admins/${member.id}`, { instance_role: "admin" }, adminToken)).status).toBe(200);
      expect((await adm("PATCH", `/admins/${member.id}`, { instance_role: "member" }, adminToken)).status).toBe(200);

      expect((await adm("PATCH", `/admins/${member.id}`, { instance_role: "admin" }, memberToken)).status).toBe(403);
      expect((await adm("PATCH", `/admins/${member.id}`, { is_active: true }, memberToken)).status).toBe(403);
      expect((await adm("POST", "/admins", { username: "x-m", password: PW }, memberToken)).status).toBe(403);
      expect((await adm("GET", "/auth/me", undefined, memberToken)).body.instance_role).toBe("member");
      // ...but may change their own email and password.
      expect((await adm("PATCH", `/admins/${member.id}`, { email: "m@example.com", password: "a-new-password" }, memberToken)).status).toBe(200);
      expect((await adm("POST", "/auth/login", { username: "esc-member", password: "a-new-password" })).status).toBe(200);
    });

    test("email: trimmed, validated, unique; PATCH is JSON Merge Patch (absent keeps, null clears)", async () => {
      const u = await createUser("mail-user", "member", { email: "  Mail.User@Example.com " });
      expect(u.email).toBe("Mail.User@Example.com");
      const bad = await adm("POST", "/admins", { username: "mail-bad", password: PW, email: "not-an-email" }, owner);
      expect([bad.status, bad.body.error.field]).toEqual([422, "email"]);
      const dup = await adm("POST", "/admins", { username: "mail-dup", password: PW, email: "mail.user@example.COM" }, owner);
      expect([dup.status, dup.body.error.field]).toEqual([409, "email"]);

      const keep = await adm("PATCH", `/admins/${u.id}`, { is_active: true }, owner);
      expect([keep.status, keep.body.email]).toEqual([200, "Mail.User@Example.com"]);
      const set = await adm("PATCH", `/admins/${u.id}`, { email: " new@example.org" }, owner);
      expect([set.status, set.body.email]).toEqual([200, "new@example.org"]);
      const clear = await adm("PATCH", `/admins/${u.id}`, { email: null }, owner);
      expect([clear.status, clear.body.email]).toEqual([200, null]);
      const badPatch = await adm("PATCH", `/admins/${u.id}`, { email: 42 }, owner);
      expect([badPatch.status, badPatch.body.error.field]).toEqual([422, "email"]);
      // A cleared email is free for someone else, and two users may both have none.
      expect((await createUser("mail-other", "member", { email: "Mail.User@Example.com" })).email).toBe("Mail.User@Example.com");
      expect((await createUser("mail-none")).email).toBe(null);
    });

    test("bad input names the field; unknown ids are 404; duplicate usernames 409", async () => {
      const cases: Array<[unknown, string]> = [
        [{ username: "", password: PW }, "username"],
        [{ username: "has space", password: PW }, "username"],
        [{ username: "shortpw", password: "short" }, "password"],
        [{ username: "badrole", password: PW, instance_role: "god" }, "instance_role"],
      ];
      for (const [body, field] of cases) {
        const r = await adm("POST", "/admins", body, owner);
        expect([r.status, r.body.error?.field]).toEqual([422, field]);
      }
      await createUser("dupe");
      expect((await adm("POST", "/admins", { username: "DUPE", password: PW }, owner)).status).toBe(409);
      expect((await adm("PATCH", "/admins/00000000-0000-4000-8000-000000000000", { email: null }, owner)).status).toBe(404);
      expect((await adm("DELETE", "/admins/nope", undefined, owner)).status).toBe(404);
    });

    test("deactivation ends sessions and API keys at once (despite the key cache); login is refused", async () => {
      const u = await createUser("leaver");
      const session = await login("leaver");
      const key = (await adm("POST", "/api-keys", { name: "k", scopes: ["app:read"] }, session)).body.token as string;
      // Warm the key cache, then deactivate.
      expect((await adm("GET", "/auth/me", undefined, key)).status).toBe(200);
      expect((await adm("GET", "/apps", undefined, key)).status).toBe(200);
      expect((await adm("PATCH", `/admins/${u.id}`, { is_active: false }, owner)).status).toBe(200);
      expect((await adm("GET", "/auth/me", undefined, session)).status).toBe(401);
      expect((await adm("GET", "/apps", undefined, key)).status).toBe(401);
      expect((await adm("POST", "/auth/login", { username: "leaver", password: PW })).status).toBe(401);
      // Reactivation lets them log in again, but the ended keys stay ended.
      expect((await adm("PATCH", `/admins/${u.id}`, { is_active: true }, owner)).status).toBe(200);
      const again = await login("leaver");
      expect((await adm("GET", "/apps", undefined, key)).status).toBe(401);
      expect((await adm("GET", "/auth/me", undefined, again)).status).toBe(200);
    });

    test("deleting a user ends its sessions and keys too", async () => {
      const u = await createUser("gone");
      const session = await login("gone");
      const key = (await adm("POST", "/api-keys", { name: "k", scopes: ["app:read"] }, session)).body.token as string;
      expect((await adm("GET", "/apps", undefined, key)).status).toBe(200);
      expect((await adm("DELETE", `/admins/${u.id}`, undefined, owner)).status).toBe(204);
      expect((await adm("GET", "/apps", undefined, key)).status).toBe(401);
      expect((await adm("GET", "/auth/me", undefined, session)).status).toBe(401);
      expect((await adm("DELETE", `/admins/${u.id}`, undefined, owner)).status).toBe(404);
    });

    test("a role change takes effect at once for cached keys", async () => {
      const u = await createUser("promoted", "admin");
      const session = await login("promoted");
      const key = (await adm("POST", "/api-keys", { name: "k", scopes: ["instance:read"] }, session)).body.token as string;
      expect((await adm("GET", "/admins", undefined, key)).status).toBe(200);
      expect((await adm("PATCH", `/admins/${u.id}`, { instance_role: "member" }, owner)).status).toBe(200);
      expect((await adm("GET", "/admins", undefined, key)).status).toBe(403);
      expect((await adm("GET", "/admins", undefined, session)).status).toBe(403);
    });
  });
});
