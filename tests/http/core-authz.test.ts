// Core's endpoints through identity's Authorizer: the object is loaded, then
// the right is checked on ITS app; lists are filtered to the caller's apps.
import { beforeAll, expect, test } from "bun:test";
import { eachDriver, HOOK_TIMEOUT_MS, startPicloud } from "../support/picloud.ts";

const A = "/api/v1/admin";
const src = "export default { fetch() { return new Response('x') } }";

eachDriver((driver) => {
  const pic = startPicloud({ driver });
  const w = { appA: "", appB: "", scriptA: "", scriptB: "", domainB: "", viewer: "", editor: "", keyRead: "", keyBound: "" };

  async function userToken(username: string, role: "viewer" | "editor" | null, appId: string) {
    const password = `pw-${username}-123456`;
    const user = await pic.api("POST", `${A}/admins`, { username, password, instance_role: "member" });
    expect(user.status).toBe(201);
    if (role) expect((await pic.api("POST", `${A}/apps/${appId}/members`, { user_id: user.body.id, role })).status).toBe(201);
    const login = await pic.api("POST", `${A}/auth/login`, { username, password }, { token: null });
    return login.body.token as string;
  }

  beforeAll(async () => {
    w.appA = (await pic.api("POST", `${A}/apps`, { slug: "authz-a" })).body.id;
    w.appB = (await pic.api("POST", `${A}/apps`, { slug: "authz-b" })).body.id;
    w.scriptA = (await pic.api("POST", `${A}/scripts`, { app_id: w.appA, name: "sa", source: src })).body.id;
    w.scriptB = (await pic.api("POST", `${A}/scripts`, { app_id: w.appB, name: "sb", source: src })).body.id;
    w.domainB = (await pic.api("POST", `${A}/apps/${w.appB}/domains`, { domain: "authz-b.test" })).body.id;
    w.viewer = await userToken("viewer1", "viewer", w.appA);
    w.editor = await userToken("editor1", "editor", w.appA);
    w.keyRead = (await pic.api("POST", `${A}/api-keys`, { name: "ro", scopes: ["script:read"] })).body.token;
    w.keyBound = (await pic.api("POST", `${A}/api-keys`, { name: "bound", scopes: ["app:admin"], app_id: w.appA })).body.token;
  }, HOOK_TIMEOUT_MS);

  test(`${driver}: a member lists only the apps and scripts of their memberships`, async () => {
    const apps = await pic.api("GET", `${A}/apps`, undefined, { token: w.viewer });
    expect(apps.status).toBe(200);
    expect(apps.body.map((a: { id: string }) => a.id)).toEqual([w.appA]);
    const scripts = await pic.api("GET", `${A}/scripts`, undefined, { token: w.viewer });
    expect(scripts.body.map((s: { id: string }) => s.id)).toEqual([w.scriptA]);
    expect((await pic.api("GET", `${A}/apps/${w.appA}`, undefined, { token: w.viewer })).body.my_role).toBe("viewer");
  });

  test(`${driver}: another app's objects are 404 to a member, by id and by slug`, async () => {
    for (const path of [`/apps/${w.appB}`, `/apps/authz-b`, `/apps/${w.appB}/domains`, `/scripts/${w.scriptB}`, `/scripts/${w.scriptB}/versions`, `/scripts?app=authz-b`]) {
      const res = await pic.api("GET", `${A}${path}`, undefined, { token: w.editor });
      expect(res.status).toBe(404);
    }
    expect((await pic.api("PATCH", `${A}/scripts/${w.scriptB}`, { source: src }, { token: w.editor })).status).toBe(404);
    expect((await pic.api("POST", `${A}/scripts`, { app_id: w.appB, name: "x", source: src }, { token: w.editor })).status).toBe(422);
    // A domain id of app B on app A's path is not found there, even for app A's admin.
    expect((await pic.api("DELETE", `${A}/apps/${w.appA}/domains/${w.domainB}`, undefined, { token: w.keyBound })).status).toBe(404);
  });

  test(`${driver}: roles decide writes within a visible app`, async () => {
    expect((await pic.api("PATCH", `${A}/scripts/${w.scriptA}`, { description: "v" }, { token: w.viewer })).status).toBe(403);
    expect((await pic.api("POST", `${A}/scripts`, { app_id: w.appA, name: "by-viewer", source: src }, { token: w.viewer })).status).toBe(403);
    expect((await pic.api("PATCH", `${A}/scripts/${w.scriptA}`, { description: "e" }, { token: w.editor })).status).toBe(200);
    expect((await pic.api("POST", `${A}/scripts`, { app_id: w.appA, name: "by-editor", source: src }, { token: w.editor })).status).toBe(201);
    expect((await pic.api("DELETE", `${A}/scripts/${w.scriptA}`, undefined, { token: w.editor })).status).toBe(403);
    expect((await pic.api("PATCH", `${A}/apps/${w.appA}`, { name: "x" }, { token: w.editor })).status).toBe(403);
    expect((await pic.api("POST", `${A}/apps/${w.appA}/domains`, { domain: "e.test" }, { token: w.editor })).status).toBe(403);
    expect((await pic.api("POST", `${A}/apps`, { slug: "by-member" }, { token: w.editor })).status).toBe(403);
  });

  test(`${driver}: API key scopes and app binding apply`, async () => {
    expect((await pic.api("GET", `${A}/apps`, undefined, { token: w.keyRead })).status).toBe(403);
    expect((await pic.api("GET", `${A}/scripts`, undefined, { token: w.keyRead })).status).toBe(200);
    expect((await pic.api("GET", `${A}/scripts/${w.scriptB}`, undefined, { token: w.keyRead })).status).toBe(200);
    expect((await pic.api("PATCH", `${A}/scripts/${w.scriptB}`, { description: "k" }, { token: w.keyRead })).status).toBe(403);
    const bound = await pic.api("GET", `${A}/apps`, undefined, { token: w.keyBound });
    expect(bound.body.map((a: { id: string }) => a.id)).toEqual([w.appA]);
    expect((await pic.api("GET", `${A}/scripts/${w.scriptB}`, undefined, { token: w.keyBound })).status).toBe(404);
    expect((await pic.api("POST", `${A}/apps`, { slug: "by-key" }, { token: w.keyBound })).status).toBe(403);
  });
});
