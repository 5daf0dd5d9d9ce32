// GET apps/{id}/member-candidates: how an app admin who is only an instance
// member finds someone to add without being allowed to list users.
import { expect, test } from "bun:test";
import { eachDriver, startPicloud } from "../support/picloud.ts";

const A = "/api/v1/admin";
const PASSWORD = "candidate-pass-1";

eachDriver((driver) => {
  const pic = startPicloud({ driver });
  const tokens: Record<string, string> = {};
  let appId = "";
  let otherAppId = "";

  async function user(username: string, email: string | null, extra: Record<string, unknown> = {}) {
    const res = await pic.api("POST", `${A}/admins`, { username, password: PASSWORD, email, ...extra });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }
  async function login(username: string) {
    const res = await pic.api("POST", `${A}/auth/login`, { username, password: PASSWORD }, { token: null });
    expect(res.status).toBe(200);
    return (tokens[username] = res.body.token as string);
  }

  test(`${driver}: set up an app with an app_admin, an editor and a viewer who are instance members`, async () => {
    appId = (await pic.api("POST", `${A}/apps`, { slug: "cands" })).body.id;
    otherAppId = (await pic.api("POST", `${A}/apps`, { slug: "cands-other" })).body.id;
    for (const [name, role] of [["boss", "app_admin"], ["ed", "editor"], ["vi", "viewer"]] as const) {
      const id = await user(name, `${name}@corp.test`);
      expect((await pic.api("POST", `${A}/apps/${appId}/members`, { user_id: id, role })).status).toBe(201);
      await login(name);
    }
    await user("alice", "alice@corp.test");
    await user("Alfred", "fred@example.test");
    await user("zed", "al.zed@example.test"); // matches "al" by email only
    const gone = await user("alvin", null);
    expect((await pic.api("PATCH", `${A}/admins/${gone}`, { is_active: false })).status).toBe(200);
    await user("alma-admin", null, { instance_role: "admin" }); // needs no membership: not a candidate
    await user("al_wild", null);
  });

  test(`${driver}: an app_admin member gets id+username suggestions (case-insensitive, username or email)`, async () => {
    // The instance member cannot list users…
    expect((await pic.api("GET", `${A}/admins`, undefined, { token: tokens.boss })).status).toBe(403);
    // …but finds candidates for their app.
    const res = await pic.api("GET", `${A}/apps/${appId}/member-candidates?q=AL`, undefined, { token: tokens.boss });
    expect(res.status).toBe(200);
    expect(res.body.map((u: { username: string }) => u.username)).toEqual(["al_wild", "Alfred", "alice", "zed"]);
    for (const u of res.body) expect(Object.keys(u).sort()).toEqual(["id", "username"]);
    // By slug, too; existing members are not offered again.
    const bySlug = await pic.api("GET", `${A}/apps/cands/member-candidates?q=${encodeURIComponent("ED")}`, undefined, { token: tokens.boss });
    expect(bySlug.body).toEqual([]);
    // LIKE wildcards in q are literal.
    const wild = await pic.api("GET", `${A}/apps/${appId}/member-candidates?q=${encodeURIComponent("al_")}`, undefined, { token: tokens.boss });
    expect(wild.body.map((u: { username: string }) => u.username)).toEqual(["al_wild"]);
    const email = await pic.api("GET", `${A}/apps/${appId}/member-candidates?q=fred@`, undefined, { token: tokens.boss });
    expect(email.body.map((u: { username: string }) => u.username)).toEqual(["Alfred"]);
  });

  test(`${driver}: inactive users are excluded; at most 10 answers`, async () => {
    const res = await pic.api("GET", `${A}/apps/${appId}/member-candidates?q=alv`, undefined, { token: tokens.boss });
    expect(res.body).toEqual([]);
    for (let i = 0; i < 12; i++) await user(`many${String(i).padStart(2, "0")}`, null);
    const many = await pic.api("GET", `${A}/apps/${appId}/member-candidates?q=many`, undefined, { token: tokens.boss });
    expect(many.body).toHaveLength(10);
    expect(many.body[0].username).toBe("many00");
  });

  test(`${driver}: viewers and editors are 403, another app is 404, anonymous 401`, async () => {
    for (const who of ["ed", "vi"]) {
      const res = await pic.api("GET", `${A}/apps/${appId}/member-candidates?q=al`, undefined, { token: tokens[who] });
      expect(res.status).toBe(403);
    }
    const other = await pic.api("GET", `${A}/apps/${otherAppId}/member-candidates?q=al`, undefined, { token: tokens.boss });
    expect(other.status).toBe(404);
    expect((await pic.api("GET", `${A}/apps/ghost/member-candidates?q=al`)).status).toBe(404);
    expect((await pic.api("GET", `${A}/apps/${appId}/member-candidates?q=al`, undefined, { token: null })).status).toBe(401);
  });

  test(`${driver}: q is required and at most 64 characters (422 naming q)`, async () => {
    for (const qs of ["", "?q=", "?q=%20%20", `?q=${"a".repeat(65)}`]) {
      const res = await pic.api("GET", `${A}/apps/${appId}/member-candidates${qs}`, undefined, { token: tokens.boss });
      expect(res.status).toBe(422);
      expect(res.body.error.field).toBe("q");
    }
    // A repeated q is bad input too: a 4xx, never a 500.
    const twice = await pic.api("GET", `${A}/apps/${appId}/member-candidates?q=al&q=bo`, undefined, { token: tokens.boss });
    expect(twice.status).toBe(422);
    const ok = await pic.api("GET", `${A}/apps/${appId}/member-candidates?q=${"a".repeat(64)}`, undefined, { token: tokens.boss });
    expect(ok.status).toBe(200);
  });
});
