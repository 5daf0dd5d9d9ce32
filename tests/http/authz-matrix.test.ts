// The authorization matrix (issue #4, STYLE §6): actor (owner / admin / member
// × no membership / viewer / editor / app_admin) × credential (session / scoped
// key / bound key) × every capability reachable over HTTP → expected status,
// every cell asserted, on both drivers, over real HTTP.
//
// Expectations come from the hand-written rules below (RULES), not from
// src/auth: the test restates DESIGN §7 independently so a bug in the
// implementation cannot make itself right.
import { beforeAll, describe, expect, test } from "bun:test";
import { eachDriver, startPicloud } from "../support/picloud.ts";

type AppRole = "viewer" | "editor" | "app_admin";
type Cred = "session" | "scoped" | "bound";
type Target = "A" | "B" | "D";

// ---- independent rules ------------------------------------------------------
const RANK: Record<AppRole, number> = { viewer: 1, editor: 2, app_admin: 3 };
/** The scoped (unbound) key's scopes, and what a key holding them may exercise — written out by hand. */
const SCOPED_KEY_SCOPES = ["app:read", "script:write", "instance:read"];
const BOUND_KEY_SCOPES = ["app:admin"];
const COVERS: Record<Exclude<Cred, "session">, string[]> = {
  scoped: ["app:read", "script:read", "script:write", "instance:read"],
  bound: ["app:admin", "app:write", "app:read", "script:write", "script:read"],
};

interface Actor {
  name: string;
  role: "owner" | "admin" | "member";
  /** Role in apps A and D (D: a fresh app per cell, same membership); never in B. */
  membership: AppRole | null;
}
const ACTORS: Actor[] = [
  { name: "owner", role: "owner", membership: null },
  { name: "admin", role: "admin", membership: null },
  { name: "member-none", role: "member", membership: null },
  { name: "member-viewer", role: "member", membership: "viewer" },
  { name: "member-editor", role: "member", membership: "editor" },
  { name: "member-app_admin", role: "member", membership: "app_admin" },
];
const CREDS: Cred[] = ["session", "scoped", "bound"];
/** A row runs ~30 requests (plus setup) on a 2-core box shared with other suites. */
const CELL_TIMEOUT_MS = 120_000;

type Need =
  | { app: Target; min: AppRole; scope: string }
  | { instance: Array<Actor["role"]>; scope: string }
  | { session: true };

interface World {
  api: (method: string, path: string, body?: unknown, token?: string) => Promise<{ status: number; body: any }>;
  ownerToken: string;
  A: { id: string; slug: string };
  B: { id: string; slug: string };
  scriptA: string;
  scriptB: string;
  target: string; // a member with a viewer membership in A, patched/removed by the cells
  spare: string; // a member with no membership, added by the cells
}

interface Cell {
  actor: Actor;
  cred: Cred;
  token: string;
  sessionToken: string;
  n: number;
}

interface Op {
  name: string;
  need: Need;
  ok: number;
  /** Status when the app is invisible, if not 404 (an app id in a body is bad input: 422). */
  hidden?: number;
  /** Set up what the call needs (as the owner), return its path and body. */
  run(w: World, c: Cell): Promise<number>;
  /** Undo a successful call's effect so later cells start from the same world. */
  after?(w: World, c: Cell, status: number): Promise<void>;
}

function expected(actor: Actor | null, cred: Cred | "none", op: Op): number {
  if (!actor || cred === "none") return 401;
  const need = op.need;
  if ("session" in need) return cred === "session" ? op.ok : 403;
  if ("instance" in need) {
    if (!need.instance.includes(actor.role)) return 403;
    if (cred === "bound") return 403; // a bound key never acts on the instance
    if (cred !== "session" && !COVERS[cred].includes(need.scope)) return 403;
    return op.ok;
  }
  if (cred === "bound" && need.app !== "A") return op.hidden ?? 404;
  const role = actor.role !== "member" ? "app_admin" : need.app === "B" ? null : actor.membership;
  if (!role) return op.hidden ?? 404;
  if (RANK[role] < RANK[need.min]) return 403;
  if (cred !== "session" && !COVERS[cred].includes(need.scope)) return 403;
  return op.ok;
}

// ---- the operations ---------------------------------------------------------
const HELLO = `export default { fetch() { return new Response("hi"); } };`;
const st = async (p: Promise<{ status: number }>) => (await p).status;
const uniq = (c: Cell, what: string) => `${what}-${c.actor.name.replace(/_/g, "-")}-${c.cred}-${c.n}`.toLowerCase();

const OPS: Op[] = [
  { name: "GET apps/A", need: { app: "A", min: "viewer", scope: "app:read" }, ok: 200,
    run: (w, c) => st(w.api("GET", `/apps/${w.A.id}`, undefined, c.token)) },
  { name: "GET apps/B", need: { app: "B", min: "viewer", scope: "app:read" }, ok: 200,
    run: (w, c) => st(w.api("GET", `/apps/${w.B.id}`, undefined, c.token)) },
  { name: "PATCH apps/A", need: { app: "A", min: "app_admin", scope: "app:admin" }, ok: 200,
    run: (w, c) => st(w.api("PATCH", `/apps/${w.A.id}`, { description: uniq(c, "d") }, c.token)) },
  { name: "PATCH apps/B", need: { app: "B", min: "app_admin", scope: "app:admin" }, ok: 200,
    run: (w, c) => st(w.api("PATCH", `/apps/${w.B.id}`, { description: uniq(c, "d") }, c.token)) },
  { name: "DELETE apps/D", need: { app: "D", min: "app_admin", scope: "app:admin" }, ok: 204,
    async run(w, c) {
      const d = await w.api("POST", "/apps", { slug: uniq(c, "d"), name: "D" }, w.ownerToken);
      if (c.actor.membership) {
        await w.api("POST", `/apps/${d.body.id}/members`, { user_id: await userId(w, c), role: c.actor.membership }, w.ownerToken);
      }
      return st(w.api("DELETE", `/apps/${d.body.id}?force=true`, undefined, c.token));
    } },
  { name: "POST apps", need: { instance: ["owner", "admin"], scope: "instance:admin" }, ok: 201,
    run: (w, c) => st(w.api("POST", "/apps", { slug: uniq(c, "n"), name: "N" }, c.token)) },
  { name: "GET apps/A/domains", need: { app: "A", min: "viewer", scope: "app:read" }, ok: 200,
    run: (w, c) => st(w.api("GET", `/apps/${w.A.id}/domains`, undefined, c.token)) },
  { name: "POST apps/A/domains", need: { app: "A", min: "app_admin", scope: "app:admin" }, ok: 201,
    run: (w, c) => st(w.api("POST", `/apps/${w.A.id}/domains`, { domain: `${uniq(c, "p")}.example.com` }, c.token)) },
  { name: "DELETE apps/A/domains/x", need: { app: "A", min: "app_admin", scope: "app:admin" }, ok: 204,
    async run(w, c) {
      const d = await w.api("POST", `/apps/${w.A.id}/domains`, { domain: `${uniq(c, "q")}.example.com` }, w.ownerToken);
      return st(w.api("DELETE", `/apps/${w.A.id}/domains/${d.body.id}`, undefined, c.token));
    } },
  { name: "GET apps/A/members", need: { app: "A", min: "viewer", scope: "app:read" }, ok: 200,
    run: (w, c) => st(w.api("GET", `/apps/${w.A.id}/members`, undefined, c.token)) },
  { name: "GET apps/B/members", need: { app: "B", min: "viewer", scope: "app:read" }, ok: 200,
    run: (w, c) => st(w.api("GET", `/apps/${w.B.id}/members`, undefined, c.token)) },
  { name: "POST apps/A/members", need: { app: "A", min: "app_admin", scope: "app:admin" }, ok: 201,
    run: (w, c) => st(w.api("POST", `/apps/${w.A.id}/members`, { user_id: w.spare, role: "viewer" }, c.token)),
    async after(w) {
      await w.api("DELETE", `/apps/${w.A.id}/members/${w.spare}`, undefined, w.ownerToken);
    } },
  { name: "PATCH apps/A/members/T", need: { app: "A", min: "app_admin", scope: "app:admin" }, ok: 200,
    run: (w, c) => st(w.api("PATCH", `/apps/${w.A.id}/members/${w.target}`, { role: "viewer" }, c.token)) },
  { name: "DELETE apps/A/members/T", need: { app: "A", min: "app_admin", scope: "app:admin" }, ok: 204,
    run: (w, c) => st(w.api("DELETE", `/apps/${w.A.id}/members/${w.target}`, undefined, c.token)),
    async after(w) {
      await w.api("POST", `/apps/${w.A.id}/members`, { user_id: w.target, role: "viewer" }, w.ownerToken);
    } },
  { name: "GET scripts/SA", need: { app: "A", min: "viewer", scope: "script:read" }, ok: 200,
    run: (w, c) => st(w.api("GET", `/scripts/${w.scriptA}`, undefined, c.token)) },
  { name: "GET scripts/SB", need: { app: "B", min: "viewer", scope: "script:read" }, ok: 200,
    run: (w, c) => st(w.api("GET", `/scripts/${w.scriptB}`, undefined, c.token)) },
  { name: "GET scripts/SA/versions", need: { app: "A", min: "viewer", scope: "script:read" }, ok: 200,
    run: (w, c) => st(w.api("GET", `/scripts/${w.scriptA}/versions`, undefined, c.token)) },
  { name: "POST scripts (app A)", need: { app: "A", min: "editor", scope: "script:write" }, ok: 201, hidden: 422,
    run: (w, c) => st(w.api("POST", "/scripts", { app_id: w.A.id, name: uniq(c, "s"), source: HELLO }, c.token)) },
  { name: "POST scripts (app B)", need: { app: "B", min: "editor", scope: "script:write" }, ok: 201, hidden: 422,
    run: (w, c) => st(w.api("POST", "/scripts", { app_id: w.B.id, name: uniq(c, "s"), source: HELLO }, c.token)) },
  { name: "PATCH scripts/SA", need: { app: "A", min: "editor", scope: "script:write" }, ok: 200,
    run: (w, c) => st(w.api("PATCH", `/scripts/${w.scriptA}`, { description: uniq(c, "d") }, c.token)) },
  { name: "PATCH scripts/SB", need: { app: "B", min: "editor", scope: "script:write" }, ok: 200,
    run: (w, c) => st(w.api("PATCH", `/scripts/${w.scriptB}`, { description: uniq(c, "d") }, c.token)) },
  { name: "POST scripts/SA/rollback", need: { app: "A", min: "editor", scope: "script:write" }, ok: 200,
    run: (w, c) => st(w.api("POST", `/scripts/${w.scriptA}/rollback`, { version: 1 }, c.token)) },
  { name: "DELETE scripts/x (app A)", need: { app: "A", min: "app_admin", scope: "script:write" }, ok: 204,
    async run(w, c) {
      const s = await w.api("POST", "/scripts", { app_id: w.A.id, name: uniq(c, "x"), source: HELLO }, w.ownerToken);
      return st(w.api("DELETE", `/scripts/${s.body.id}`, undefined, c.token));
    } },
  { name: "GET scripts/SA/routes", need: { app: "A", min: "viewer", scope: "script:read" }, ok: 200,
    run: (w, c) => st(w.api("GET", `/scripts/${w.scriptA}/routes`, undefined, c.token)) },
  { name: "GET scripts/SB/routes", need: { app: "B", min: "viewer", scope: "script:read" }, ok: 200,
    run: (w, c) => st(w.api("GET", `/scripts/${w.scriptB}/routes`, undefined, c.token)) },
  { name: "POST scripts/SA/routes", need: { app: "A", min: "editor", scope: "script:write" }, ok: 201,
    run: (w, c) => st(w.api("POST", `/scripts/${w.scriptA}/routes`, { method: "GET", path: `/${uniq(c, "r")}` }, c.token)) },
  { name: "POST scripts/SB/routes", need: { app: "B", min: "editor", scope: "script:write" }, ok: 201,
    run: (w, c) => st(w.api("POST", `/scripts/${w.scriptB}/routes`, { method: "GET", path: `/${uniq(c, "r")}` }, c.token)) },
  { name: "DELETE routes/x (app A)", need: { app: "A", min: "editor", scope: "script:write" }, ok: 204,
    async run(w, c) {
      const r = await w.api("POST", `/scripts/${w.scriptA}/routes`, { method: "GET", path: `/${uniq(c, "y")}` }, w.ownerToken);
      return st(w.api("DELETE", `/routes/${r.body.id}`, undefined, c.token));
    } },
  { name: "GET scripts/SA/logs", need: { app: "A", min: "viewer", scope: "script:read" }, ok: 200,
    run: (w, c) => st(w.api("GET", `/scripts/${w.scriptA}/logs`, undefined, c.token)) },
  { name: "GET apps/A/logs", need: { app: "A", min: "viewer", scope: "script:read" }, ok: 200,
    run: (w, c) => st(w.api("GET", `/apps/${w.A.id}/logs`, undefined, c.token)) },
  { name: "GET apps/B/logs", need: { app: "B", min: "viewer", scope: "script:read" }, ok: 200,
    run: (w, c) => st(w.api("GET", `/apps/${w.B.id}/logs`, undefined, c.token)) },
  { name: "GET admins", need: { instance: ["owner", "admin"], scope: "instance:read" }, ok: 200,
    run: (w, c) => st(w.api("GET", "/admins", undefined, c.token)) },
  { name: "POST admins (member)", need: { instance: ["owner", "admin"], scope: "instance:admin" }, ok: 201,
    run: (w, c) => st(w.api("POST", "/admins", { username: uniq(c, "u"), password: "correct-horse", instance_role: "member" }, c.token)) },
  { name: "PATCH admins/T", need: { instance: ["owner", "admin"], scope: "instance:admin" }, ok: 200,
    run: (w, c) => st(w.api("PATCH", `/admins/${w.target}`, { email: `${uniq(c, "e")}@example.com` }, c.token)) },
  { name: "DELETE admins/x", need: { instance: ["owner", "admin"], scope: "instance:admin" }, ok: 204,
    async run(w, c) {
      const u = await w.api("POST", "/admins", { username: uniq(c, "v"), password: "correct-horse" }, w.ownerToken);
      return st(w.api("DELETE", `/admins/${u.body.id}`, undefined, c.token));
    } },
  { name: "GET api-keys", need: { session: true }, ok: 200,
    run: (w, c) => st(w.api("GET", "/api-keys", undefined, c.token)) },
  { name: "POST api-keys", need: { session: true }, ok: 201,
    run: (w, c) => st(w.api("POST", "/api-keys", { name: uniq(c, "k"), scopes: ["script:read"] }, c.token)) },
  { name: "DELETE api-keys/own", need: { session: true }, ok: 204,
    async run(w, c) {
      const k = await w.api("POST", "/api-keys", { name: uniq(c, "k"), scopes: ["script:read"] }, c.sessionToken);
      return st(w.api("DELETE", `/api-keys/${k.body.id}`, undefined, c.token));
    } },
];

// Tokens and ids per actor, filled in beforeAll.
const userIds = new Map<string, string>();
async function userId(_w: World, c: Cell) {
  return userIds.get(c.actor.name)!;
}

eachDriver((driver) => {
  describe(`${driver}: authorization matrix`, () => {
    const pic = startPicloud({ driver });
    const w = {} as World;
    const tokens = new Map<string, Partial<Record<Cred, string>>>();
    let counter = 0;

    beforeAll(async () => {
      w.api = async (method, path, body, token) => {
        const r = await pic.api(method, `/api/v1/admin${path}`, body, { token: token ?? null });
        return { status: r.status, body: r.body };
      };
      w.ownerToken = await pic.login();
      const mk = async (method: string, path: string, body: unknown, status = 201) => {
        const r = await w.api(method, path, body, w.ownerToken);
        if (r.status !== status) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
        return r.body;
      };
      w.A = await mk("POST", "/apps", { slug: "alpha", name: "Alpha" });
      w.B = await mk("POST", "/apps", { slug: "bravo", name: "Bravo" });
      w.scriptA = (await mk("POST", "/scripts", { app_id: w.A.id, name: "sa", source: HELLO })).id;
      w.scriptB = (await mk("POST", "/scripts", { app_id: w.B.id, name: "sb", source: HELLO })).id;
      w.target = (await mk("POST", "/admins", { username: "target", password: "correct-horse" })).id;
      w.spare = (await mk("POST", "/admins", { username: "spare", password: "correct-horse" })).id;
      await mk("POST", `/apps/${w.A.id}/members`, { user_id: w.target, role: "viewer" });

      for (const actor of ACTORS) {
        let session: string;
        if (actor.role === "owner") {
          session = w.ownerToken;
          userIds.set(actor.name, (await w.api("GET", "/auth/me", undefined, session)).body.id);
        } else {
          const u = await mk("POST", "/admins", { username: `mx-${actor.name.replace("_", "-")}`, password: "correct-horse", instance_role: actor.role });
          userIds.set(actor.name, u.id);
          if (actor.membership) await mk("POST", `/apps/${w.A.id}/members`, { user_id: u.id, role: actor.membership });
          const login = await w.api("POST", "/auth/login", { username: u.username, password: "correct-horse" });
          session = login.body.token;
        }
        const scoped = await w.api("POST", "/api-keys", { name: "scoped", scopes: SCOPED_KEY_SCOPES }, session);
        const bound = await w.api("POST", "/api-keys", { name: "bound", scopes: BOUND_KEY_SCOPES, app_id: w.A.id }, session);
        tokens.set(actor.name, { session, scoped: scoped.body.token, bound: bound.status === 201 ? bound.body.token : undefined });
        // Only someone who can see app A can bind a key to it.
        const canSeeA = actor.role !== "member" || actor.membership !== null;
        expect([actor.name, bound.status]).toEqual([actor.name, canSeeA ? 201 : 422]);
      }
    }, CELL_TIMEOUT_MS);

    for (const actor of ACTORS) {
      for (const cred of CREDS) {
        if (cred === "bound" && actor.role === "member" && !actor.membership) continue; // cannot exist (422 above)
        test(`${actor.name} × ${cred}`, async () => {
          const mismatches: string[] = [];
          for (const op of OPS) {
            const t = tokens.get(actor.name)!;
            const cell: Cell = { actor, cred, token: t[cred]!, sessionToken: t.session!, n: counter++ };
            const status = await op.run(w, cell);
            const want = expected(actor, cred, op);
            if (status !== want) mismatches.push(`${op.name}: got ${status}, want ${want}`);
            if (op.after && status < 300) await op.after(w, cell, status);
          }
          expect(mismatches).toEqual([]);
        }, CELL_TIMEOUT_MS);
      }
    }

    test("anonymous and invalid credentials: 401 everywhere", async () => {
      const mismatches: string[] = [];
      for (const token of [undefined, "not-a-token", `pic_${"a".repeat(52)}`]) {
        for (const op of OPS) {
          const cell: Cell = { actor: ACTORS[0]!, cred: "session", token: token as string, sessionToken: w.ownerToken, n: counter++ };
          const status = await op.run(w, cell);
          if (status !== 401) mismatches.push(`${op.name} (${token ?? "none"}): got ${status}, want 401`);
        }
      }
      expect(mismatches).toEqual([]);
    }, CELL_TIMEOUT_MS);

    test("lists are filtered to what the caller can see, and my_role is the effective role", async () => {
      const slugsOf = async (token: string): Promise<string[]> =>
        ((await w.api("GET", "/apps", undefined, token)).body as Array<{ slug: string }>).map((a) => a.slug).filter((s) => s === "alpha" || s === "bravo").sort();
      const scriptsOf = async (token: string) =>
        ((await w.api("GET", "/scripts", undefined, token)).body as Array<{ id: string }>).map((s) => s.id).filter((id) => id === w.scriptA || id === w.scriptB).sort();
      for (const actor of ACTORS) {
        const t = tokens.get(actor.name)!;
        const seesA = actor.role !== "member" || actor.membership !== null;
        const seesB = actor.role !== "member";
        const want: string[] = [...(seesA ? ["alpha"] : []), ...(seesB ? ["bravo"] : [])];
        expect([actor.name, "session", await slugsOf(t.session!)]).toEqual([actor.name, "session", want]);
        expect([actor.name, "scripts", await scriptsOf(t.session!)]).toEqual([actor.name, "scripts", [...(seesA ? [w.scriptA] : []), ...(seesB ? [w.scriptB] : [])].sort()]);
        if (t.bound) expect([actor.name, "bound", await slugsOf(t.bound)]).toEqual([actor.name, "bound", ["alpha"]]);
        const role = actor.role !== "member" ? "app_admin" : actor.membership;
        const a = await w.api("GET", `/apps/${w.A.id}`, undefined, t.session);
        if (role) expect([actor.name, a.body.my_role]).toEqual([actor.name, role]);
      }
    });
  });
});
