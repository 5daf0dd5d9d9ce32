// Cross-tenant attacks over loopback: a member with editor rights on app A
// (by session, and by an API key bound to A) goes after app B's objects by
// id. Every such object must answer 404 — as if it did not exist — and
// nothing of B may change; a viewer's writes are 403s.
import { beforeAll, describe, expect, test } from "bun:test";
import { eachDriver, startPicloud, type Picloud } from "../support/picloud.ts";
import { ADMIN, bind, createApp, deploy, expectErrorShape, hit } from "./fixtures/harness.ts";

const PASSWORD = "tenant-password-123";

async function createUser(pic: Picloud, username: string): Promise<string> {
  const res = await pic.api("POST", `${ADMIN}/admins`, { username, email: `${username}@example.com`, password: PASSWORD, instance_role: "member" });
  if (res.status !== 201) throw new Error(`user ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

async function loginAs(pic: Picloud, username: string): Promise<string> {
  const res = await pic.api("POST", `${ADMIN}/auth/login`, { username, password: PASSWORD }, { token: null });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}

async function grant(pic: Picloud, appId: string, userId: string, role: string) {
  const res = await pic.api("POST", `${ADMIN}/apps/${appId}/members`, { user_id: userId, role });
  if (res.status !== 201) throw new Error(`grant ${role}: ${res.status} ${JSON.stringify(res.body)}`);
}

eachDriver((driver) => {
  describe(`${driver}: cross-tenant`, () => {
    const pic = startPicloud({ driver });
    const A: Record<string, string> = {};
    const B: Record<string, string> = {};
    const cred: Record<string, string> = {};

    beforeAll(async () => {
      A.app = (await createApp(pic, "tenant-a")).id;
      B.app = (await createApp(pic, "tenant-b")).id;
      A.script = (await deploy(pic, "a-script", `export default { fetch: () => new Response("A") };`, {}, A.app)).id;
      B.script = (await deploy(pic, "b-script", `export default { fetch: () => new Response("B original") };`, {}, B.app)).id;
      B.route = (await bind(pic, B.script, { path: "/b" })).id;
      A.route = (await bind(pic, A.script, { path: "/a" })).id;
      const dom = await pic.api("POST", `${ADMIN}/apps/${B.app}/domains`, { domain: "b.tenant.test" });
      B.domain = dom.body.id;
      await pic.api("POST", `${ADMIN}/apps/${A.app}/domains`, { domain: "a.tenant.test" });
      // An execution of B's script, so B has a log row to go after.
      const run = await fetch(`${pic.url}/api/v1/execute/${B.script}`);
      B.execution = run.headers.get("x-picloud-execution-id")!;
      await run.text();
      // A second version of B's script, so rollback has a target.
      await pic.api("PATCH", `${ADMIN}/scripts/${B.script}`, { source: `export default { fetch: () => new Response("B v2") };` });

      A.editor = await createUser(pic, "eve");
      A.viewer = await createUser(pic, "vic");
      B.member = await createUser(pic, "bob");
      await grant(pic, A.app, A.editor, "editor");
      await grant(pic, A.app, A.viewer, "viewer");
      await grant(pic, B.app, B.member, "app_admin");
      cred.session = await loginAs(pic, "eve");
      cred.viewer = await loginAs(pic, "vic");
      const key = await pic.api("POST", `${ADMIN}/api-keys`, { name: "eve-a", scopes: ["app:read", "app:write", "script:read", "script:write"], app_id: A.app }, { token: cred.session });
      if (key.status !== 201) throw new Error(`key: ${key.status} ${JSON.stringify(key.body)}`);
      cred.boundKey = key.body.token;
      const wide = await pic.api("POST", `${ADMIN}/api-keys`, { name: "eve-all", scopes: ["app:read", "app:write", "script:read", "script:write", "app:admin"] }, { token: cred.session });
      if (wide.status !== 201) throw new Error(`key: ${wide.status} ${JSON.stringify(wide.body)}`);
      cred.unboundKey = wide.body.token;
      const ro = await pic.api("POST", `${ADMIN}/api-keys`, { name: "eve-ro", scopes: ["app:read", "script:read"], app_id: A.app }, { token: cred.session });
      cred.readKey = ro.body.token;
      const adminKey = await pic.api("POST", `${ADMIN}/api-keys`, { name: "owner-key", scopes: ["app:read"] });
      B.ownerKeyId = adminKey.body.id;
    }, 120_000);

    /** Every request an attacker on A could make against B's objects. */
    const attacks = (): Array<[string, string, unknown?]> => [
      ["GET", `${ADMIN}/apps/${B.app}`],
      ["GET", `${ADMIN}/apps/tenant-b`],
      ["PATCH", `${ADMIN}/apps/${B.app}`, { name: "owned" }],
      ["DELETE", `${ADMIN}/apps/${B.app}?force=true`],
      ["POST", `${ADMIN}/apps/${B.app}/slug:check`, { slug: "x-new" }],
      ["GET", `${ADMIN}/apps/${B.app}/domains`],
      ["POST", `${ADMIN}/apps/${B.app}/domains`, { domain: "evil.tenant.test" }],
      ["DELETE", `${ADMIN}/apps/${B.app}/domains/${B.domain}`],
      ["GET", `${ADMIN}/apps/${B.app}/members`],
      ["POST", `${ADMIN}/apps/${B.app}/members`, { user_id: A.editor, role: "app_admin" }],
      ["PATCH", `${ADMIN}/apps/${B.app}/members/${B.member}`, { role: "viewer" }],
      ["DELETE", `${ADMIN}/apps/${B.app}/members/${B.member}`],
      ["GET", `${ADMIN}/apps/${B.app}/logs`],
      ["GET", `${ADMIN}/scripts?app=${B.app}`],
      ["GET", `${ADMIN}/scripts?app=tenant-b`],
      ["GET", `${ADMIN}/scripts/${B.script}`],
      ["PATCH", `${ADMIN}/scripts/${B.script}`, { source: `export default { fetch: () => new Response("pwned") };` }],
      ["DELETE", `${ADMIN}/scripts/${B.script}`],
      ["GET", `${ADMIN}/scripts/${B.script}/versions`],
      ["POST", `${ADMIN}/scripts/${B.script}/rollback`, { version: 1 }],
      ["GET", `${ADMIN}/scripts/${B.script}/routes`],
      ["POST", `${ADMIN}/scripts/${B.script}/routes`, { path: "/implant" }],
      ["GET", `${ADMIN}/scripts/${B.script}/logs`],
      ["GET", `${ADMIN}/scripts/${B.script}/logs/stream`],
      ["DELETE", `${ADMIN}/routes/${B.route}`],
      ["GET", `${ADMIN}/logs/${B.execution}`],
    ];

    for (const who of ["session", "boundKey", "unboundKey"] as const) {
      test(`an editor of A (${who}) gets 404 for every one of B's objects`, async () => {
        for (const [method, path, body] of attacks()) {
          const res = await pic.api(method, path, body, { token: cred[who] });
          expect({ who, method, path, status: res.status }).toEqual({ who, method, path, status: 404 });
          expectErrorShape(res.body, "not_found");
          // Nothing about B leaks into the message.
          expect(JSON.stringify(res.body)).not.toContain("b-script");
          expect(JSON.stringify(res.body)).not.toContain("tenant-b");
        }
      }, 60_000);
    }

    test("someone else's API key cannot be deleted, and its existence is not revealed", async () => {
      for (const who of ["session", "boundKey", "unboundKey"] as const) {
        const real = await pic.api("DELETE", `${ADMIN}/api-keys/${B.ownerKeyId}`, undefined, { token: cred[who] });
        const ghost = await pic.api("DELETE", `${ADMIN}/api-keys/00000000-0000-4000-8000-000000000000`, undefined, { token: cred[who] });
        // A session: 404. A key may lack the right to manage keys at all (403) — the same for any id.
        expect([403, 404]).toContain(real.status);
        if (who === "session") expect(real.status).toBe(404);
        expect({ who, status: real.status }).toEqual({ who, status: ghost.status });
        expectErrorShape(real.body);
      }
    });

    test("B's execution id used as a paging cursor on A's logs reveals nothing of B", async () => {
      for (const who of ["session", "boundKey"] as const) {
        for (const path of [`${ADMIN}/apps/${A.app}/logs?before=${B.execution}`, `${ADMIN}/scripts/${A.script}/logs?before=${B.execution}`]) {
          const res = await pic.api("GET", path, undefined, { token: cred[who] });
          expect([200, 404, 422]).toContain(res.status);
          if (res.status === 200) for (const row of res.body) expect(row.app_id).toBe(A.app);
          else expectErrorShape(res.body);
          expect(JSON.stringify(res.body)).not.toContain(B.script);
        }
      }
    });

    test("creating a script in B is refused exactly as for an app that does not exist (no oracle)", async () => {
      const source = `export default { fetch: () => new Response("pwned") };`;
      for (const who of ["session", "boundKey", "unboundKey"] as const) {
        const ghost = await pic.api("POST", `${ADMIN}/scripts`, { app_id: "00000000-0000-4000-8000-000000000000", name: "implant", source }, { token: cred[who] });
        const ghostSlug = await pic.api("POST", `${ADMIN}/scripts`, { app_id: "no-such-app", name: "implant", source }, { token: cred[who] });
        const real = await pic.api("POST", `${ADMIN}/scripts`, { app_id: B.app, name: "implant", source }, { token: cred[who] });
        const realSlug = await pic.api("POST", `${ADMIN}/scripts`, { app_id: "tenant-b", name: "implant", source }, { token: cred[who] });
        expect([404, 422]).toContain(real.status);
        expectErrorShape(real.body);
        expect({ who, status: real.status, code: real.body.error.code }).toEqual({ who, status: ghost.status, code: ghost.body.error.code });
        expect({ who, status: realSlug.status, code: realSlug.body.error.code }).toEqual({ who, status: ghostSlug.status, code: ghostSlug.body.error.code });
        expect(real.body.error.message.replace(B.app, "ID")).toBe(ghost.body.error.message.replace("00000000-0000-4000-8000-000000000000", "ID"));
      }
      const list = await pic.api("GET", `${ADMIN}/scripts?app=${B.app}`);
      expect(list.body.map((x: any) => x.name)).toEqual(["b-script"]);
    });

    test("lists never show B's objects to A's editor", async () => {
      for (const who of ["session", "boundKey", "unboundKey"] as const) {
        const apps = await pic.api("GET", `${ADMIN}/apps`, undefined, { token: cred[who] });
        expect(apps.status).toBe(200);
        expect(apps.body.map((a: any) => a.slug)).toEqual(["tenant-a"]);
        const scripts = await pic.api("GET", `${ADMIN}/scripts`, undefined, { token: cred[who] });
        expect(scripts.status).toBe(200);
        expect(scripts.body.map((s: any) => s.name)).toEqual(["a-script"]);
        const match = await pic.api("POST", `${ADMIN}/routes:match`, { method: "GET", url: "http://b.tenant.test/b" }, { token: cred[who] });
        expect(match.status).toBe(200);
        expect(match.body.matched).toBe(false);
        expect(JSON.stringify(match.body)).not.toContain(B.script);
        expect(JSON.stringify(match.body)).not.toContain(B.app);
      }
    });

    test("A's editor cannot move A's script into B, or point A's routes at B's host", async () => {
      for (const who of ["session", "boundKey"] as const) {
        const moved = await pic.api("PATCH", `${ADMIN}/scripts/${A.script}`, { app_id: B.app }, { token: cred[who] });
        expect(moved.status).not.toBe(500);
        const after = await pic.api("GET", `${ADMIN}/scripts/${A.script}`);
        expect(after.body.app_id).toBe(A.app);
      }
      // A route in A for a host B claims must never catch B's traffic.
      const r = await pic.api("POST", `${ADMIN}/scripts/${A.script}/routes`, { path: "/b", host: "b.tenant.test" }, { token: cred.session });
      expect(r.status).not.toBe(500);
      const res = await hit(pic, "/b", {}, "b.tenant.test");
      expect(await res.text()).toBe("B v2");
      // Claiming B's domain for A is a conflict, not a takeover.
      const claim = await pic.api("POST", `${ADMIN}/apps/${A.app}/domains`, { domain: "b.tenant.test" });
      expect(claim.status).toBe(409);
    });

    test("A's editor cannot escalate: no app_admin self-grant, no instance scopes, no keys for B, no owner role", async () => {
      const self = await pic.api("PATCH", `${ADMIN}/apps/${A.app}/members/${A.editor}`, { role: "app_admin" }, { token: cred.session });
      expect(self.status).toBe(403);
      const add = await pic.api("POST", `${ADMIN}/apps/${A.app}/members`, { user_id: B.member, role: "app_admin" }, { token: cred.session });
      expect(add.status).toBe(403);
      // A key's reach is role ∩ scopes (DESIGN §7): a member may hold an instance:admin key, but it grants nothing more.
      const inst = await pic.api("POST", `${ADMIN}/api-keys`, { name: "x", scopes: ["instance:admin"] }, { token: cred.session });
      expect([201, 403, 422]).toContain(inst.status);
      if (inst.status === 201) {
        const k = inst.body.token;
        expect((await pic.api("GET", `${ADMIN}/admins`, undefined, { token: k })).status).toBe(403);
        expect((await pic.api("POST", `${ADMIN}/admins`, { username: "viakey", password: PASSWORD, instance_role: "admin" }, { token: k })).status).toBe(403);
        expect((await pic.api("GET", `${ADMIN}/apps/${B.app}`, undefined, { token: k })).status).toBe(404);
        expect((await pic.api("PATCH", `${ADMIN}/admins/${B.member}`, { is_active: false }, { token: k })).status).not.toBe(200);
      }
      const forB = await pic.api("POST", `${ADMIN}/api-keys`, { name: "x", scopes: ["app:read"], app_id: B.app }, { token: cred.session });
      expect([403, 404, 422]).toContain(forB.status);
      const role = await pic.api("PATCH", `${ADMIN}/admins/${A.editor}`, { instance_role: "owner" }, { token: cred.session });
      expect([403, 404]).toContain(role.status);
      const users = await pic.api("POST", `${ADMIN}/admins`, { username: "sneaky", password: PASSWORD, instance_role: "admin" }, { token: cred.session });
      expect(users.status).toBe(403);
      // The bound key cannot mint keys with more reach than itself.
      const viaKey = await pic.api("POST", `${ADMIN}/api-keys`, { name: "y", scopes: ["app:admin"] }, { token: cred.boundKey });
      if (viaKey.status === 201) {
        const minted = viaKey.body.token;
        const probe = await pic.api("GET", `${ADMIN}/apps/${B.app}`, undefined, { token: minted });
        expect(probe.status).toBe(404);
        const del = await pic.api("DELETE", `${ADMIN}/apps/${A.app}?force=true`, undefined, { token: minted });
        expect(del.status).toBe(403);
      }
    });

    test("a viewer of A, and a read-only key, get 403 on every write to A", async () => {
      for (const who of ["viewer", "readKey"] as const) {
        const writes: Array<[string, string, unknown?]> = [
          ["PATCH", `${ADMIN}/apps/${A.app}`, { name: "v" }],
          ["DELETE", `${ADMIN}/apps/${A.app}?force=true`],
          ["POST", `${ADMIN}/scripts`, { app_id: A.app, name: "v-script", source: `export default { fetch: () => new Response("v") };` }],
          ["PATCH", `${ADMIN}/scripts/${A.script}`, { source: `export default { fetch: () => new Response("v") };` }],
          ["DELETE", `${ADMIN}/scripts/${A.script}`],
          ["POST", `${ADMIN}/scripts/${A.script}/rollback`, { version: 1 }],
          ["POST", `${ADMIN}/scripts/${A.script}/routes`, { path: "/viewer" }],
          ["DELETE", `${ADMIN}/routes/${A.route}`],
          ["POST", `${ADMIN}/apps/${A.app}/domains`, { domain: "viewer.tenant.test" }],
          ["POST", `${ADMIN}/apps/${A.app}/members`, { user_id: B.member, role: "viewer" }],
        ];
        for (const [method, path, body] of writes) {
          const res = await pic.api(method, path, body, { token: cred[who] });
          expect({ who, method, path, status: res.status }).toEqual({ who, method, path, status: 403 });
          expectErrorShape(res.body, "forbidden");
        }
        // Reads of A still work; B stays invisible.
        expect((await pic.api("GET", `${ADMIN}/scripts/${A.script}`, undefined, { token: cred[who] })).status).toBe(200);
        expect((await pic.api("GET", `${ADMIN}/scripts/${B.script}`, undefined, { token: cred[who] })).status).toBe(404);
      }
    });

    test("B is exactly as it was", async () => {
      const b = await pic.api("GET", `${ADMIN}/apps/${B.app}`);
      expect(b.body).toMatchObject({ slug: "tenant-b", name: "tenant-b" });
      const s = await pic.api("GET", `${ADMIN}/scripts/${B.script}`);
      expect(s.body).toMatchObject({ app_id: B.app, version: 2 });
      const scripts = await pic.api("GET", `${ADMIN}/scripts?app=${B.app}`);
      expect(scripts.body.map((x: any) => x.name)).toEqual(["b-script"]);
      const routes = await pic.api("GET", `${ADMIN}/scripts/${B.script}/routes`);
      expect(routes.body.map((r: any) => r.id)).toEqual([B.route]);
      const domains = await pic.api("GET", `${ADMIN}/apps/${B.app}/domains`);
      expect(domains.body.map((d: any) => d.domain)).toEqual(["b.tenant.test"]);
      const members = await pic.api("GET", `${ADMIN}/apps/${B.app}/members`);
      expect(members.body.map((m: any) => [m.user_id ?? m.id, m.role])).toEqual([[B.member, "app_admin"]]);
      const res = await hit(pic, "/b", {}, "b.tenant.test");
      expect(await res.text()).toBe("B v2");
      const keys = await pic.api("GET", `${ADMIN}/api-keys`);
      expect(keys.body.map((k: any) => k.id)).toContain(B.ownerKeyId);
    });

    test("a member's script never sees the owner's session cookie, and cannot set one", async () => {
      // Eve (editor of A) deploys a route on A's host that echoes what it receives…
      const steal = await pic.api("POST", `${ADMIN}/scripts`, {
        app_id: A.app, name: "steal",
        source: `export default { fetch(req, ctx) {
          console.log("cookie:", req.headers.get("cookie"));
          return Response.json({ cookie: req.headers.get("cookie"), principal: ctx.principal && ctx.principal.username },
            { headers: { "set-cookie": "picloud_session=attacker-chosen; Path=/; HttpOnly" } });
        } };`,
      }, { token: cred.session });
      expect(steal.status).toBe(201);
      expect((await pic.api("POST", `${ADMIN}/scripts/${steal.body.id}/routes`, { path: "/steal" }, { token: cred.session })).status).toBe(201);
      // …and the owner opens it in the browser, which sends the dashboard's cookie (Path=/, same origin).
      const ownerToken = await pic.login();
      const res = await hit(pic, "/steal", { headers: { cookie: `theme=dark; picloud_session=${ownerToken}; lang=en` } }, "a.tenant.test");
      expect(res.status).toBe(200);
      const seen = await res.json();
      expect(JSON.stringify(seen)).not.toContain(ownerToken);
      expect(seen.cookie).toBe("theme=dark; lang=en");
      // The identity still reaches the script the sanctioned way.
      expect(seen.principal).toBe("admin");
      // Nor can the script plant a session cookie (session fixation) on the dashboard's origin.
      expect(res.headers.getSetCookie().filter((c) => c.startsWith("picloud_session="))).toEqual([]);
      // The console log Eve can read holds no token either.
      const exec = res.headers.get("x-picloud-execution-id");
      let log: any = null;
      for (let i = 0; i < 200 && !log; i++) {
        const r = await pic.api("GET", `${ADMIN}/logs/${exec}`, undefined, { token: cred.session });
        if (r.status === 200) log = r.body;
        else await Bun.sleep(25);
      }
      expect(JSON.stringify(log)).not.toContain(ownerToken);
    });

    test("a member's script never sees the owner's bearer token (picloud invoke sends it), but its own bearer scheme still works", async () => {
      const echo = await pic.api("POST", `${ADMIN}/scripts`, {
        app_id: A.app, name: "steal-bearer",
        source: `export default { fetch: (req, ctx) => Response.json({ authorization: req.headers.get("authorization"), principal: ctx.principal && ctx.principal.username }) };`,
      }, { token: cred.session });
      expect(echo.status).toBe(201);
      const ownerKey = await pic.api("POST", `${ADMIN}/api-keys`, { name: "owner-cli", scopes: ["instance:admin"] });
      for (const token of [await pic.login(), ownerKey.body.token as string]) {
        const res = await fetch(`${pic.url}/api/v1/execute/${echo.body.id}`, { headers: { authorization: `Bearer ${token}` } });
        const seen = await res.json();
        expect(JSON.stringify(seen)).not.toContain(token);
        expect(seen).toEqual({ authorization: null, principal: "admin" });
      }
      // A bearer PiCloud does not know (the script's own JWT, say) is the script's business.
      const own = await fetch(`${pic.url}/api/v1/execute/${echo.body.id}`, { headers: { authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig" } });
      expect(await own.json()).toEqual({ authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig", principal: null });
    });

    test("a cross-site page cannot ride the owner's session cookie (CSRF), whatever the content type", async () => {
      const owner = await pic.login();
      const cookie = `picloud_session=${owner}`;
      for (const [type, body] of [
        ["text/plain", JSON.stringify({ slug: "csrf-a", name: "x" })],
        ["application/x-www-form-urlencoded", JSON.stringify({ slug: "csrf-b", name: "x" })],
        ["multipart/form-data; boundary=x", JSON.stringify({ slug: "csrf-c", name: "x" })],
      ] as const) {
        const sites: Array<Record<string, string>> = [
          { origin: "http://evil.example", "sec-fetch-site": "cross-site" },
          { origin: "http://evil.example" },
          { origin: "null", "sec-fetch-site": "cross-site" },
          { referer: "http://evil.example/page", "sec-fetch-site": "cross-site" },
        ];
        for (const site of sites) {
          const res = await fetch(`${pic.url}${ADMIN}/apps`, { method: "POST", headers: { cookie, "content-type": type, ...site }, body });
          expect({ type, site, status: res.status }).toEqual({ type, site, status: res.status === 403 ? 403 : 401 });
          await res.text();
        }
      }
      // Deleting B via a cross-site form post is refused too.
      const del = await fetch(`${pic.url}${ADMIN}/apps/${B.app}?force=true`, { method: "DELETE", headers: { cookie, origin: "http://evil.example", "sec-fetch-site": "cross-site" } });
      expect([401, 403]).toContain(del.status);
      for (const slug of ["csrf-a", "csrf-b", "csrf-c"]) expect((await pic.api("GET", `${ADMIN}/apps/${slug}`)).status).toBe(404);
      expect((await pic.api("GET", `${ADMIN}/apps/${B.app}`)).status).toBe(200);
    });

    test("deactivating the attacker ends the session and every key at once", async () => {
      const off = await pic.api("PATCH", `${ADMIN}/admins/${A.editor}`, { is_active: false });
      expect(off.status).toBe(200);
      for (const who of ["session", "boundKey", "unboundKey", "readKey"] as const) {
        const res = await pic.api("GET", `${ADMIN}/apps/${A.app}`, undefined, { token: cred[who] });
        expect({ who, status: res.status }).toEqual({ who, status: 401 });
      }
    });
  });
});
