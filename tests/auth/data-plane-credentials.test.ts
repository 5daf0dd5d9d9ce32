// A caller's PiCloud credentials become ctx.principal on the data plane, and
// never reach the script itself: otherwise an editor of any app on the
// dashboard's host could read an owner's session from a page the owner loads.
import { beforeAll, describe, expect, test } from "bun:test";
import { eachDriver, startPicloud } from "../support/picloud.ts";

const ECHO = `export default { fetch(req, ctx) {
  return Response.json({ cookie: req.headers.get("cookie"), authorization: req.headers.get("authorization"), principal: ctx.principal });
} };`;

eachDriver((driver) => {
  describe(`${driver}: credentials on the data plane`, () => {
    const pic = startPicloud({ driver });
    let owner: string;
    let key: string;
    const echo = async (headers: Record<string, string>) => {
      const r = await fetch(`${pic.url}/echo-creds`, { headers: { host: "localhost", ...headers } });
      expect(r.status).toBe(200);
      return (await r.json()) as { cookie: string | null; authorization: string | null; principal: any };
    };

    beforeAll(async () => {
      owner = await pic.login();
      const app = (await pic.api("GET", "/api/v1/admin/apps/default")).body;
      const s = await pic.api("POST", "/api/v1/admin/scripts", { app_id: app.id, name: "echo-creds", source: ECHO });
      expect(s.status).toBe(201);
      expect((await pic.api("POST", `/api/v1/admin/scripts/${s.body.id}/routes`, { method: "GET", path: "/echo-creds" })).status).toBe(201);
      key = (await pic.api("POST", "/api/v1/admin/api-keys", { name: "k", scopes: ["app:read"] })).body.token;
    });

    test("the session cookie becomes ctx.principal and is removed; other cookies pass", async () => {
      const r = await echo({ cookie: `theme=dark; picloud_session=${owner}; lang=en` });
      expect(r.principal).toMatchObject({ kind: "user", username: pic.admin.username, instance_role: "owner" });
      expect(r.cookie).toBe("theme=dark; lang=en");
      expect(JSON.stringify(r)).not.toContain(owner);
      expect((await echo({ cookie: `picloud_session=${owner}` })).cookie).toBeNull();
    });

    test("a bearer session token or pic_ key becomes ctx.principal and is removed", async () => {
      const bySession = await echo({ authorization: `Bearer ${owner}` });
      expect([bySession.principal?.kind, bySession.authorization]).toEqual(["user", null]);
      const byKey = await echo({ authorization: `Bearer ${key}` });
      expect([byKey.principal?.kind, byKey.authorization]).toEqual(["api_key", null]);
      // A pic_ key that does not verify is still PiCloud's secret, not the script's.
      const badKey = await echo({ authorization: `Bearer pic_${"a".repeat(52)}` });
      expect([badKey.principal, badKey.authorization]).toEqual([null, null]);
    });

    test("a bearer token PiCloud does not know is the script's business: passed through, anonymous", async () => {
      const r = await echo({ authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig" });
      expect([r.principal, r.authorization]).toEqual([null, "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig"]);
    });
  });
});
