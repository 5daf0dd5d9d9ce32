// Login, cookie, logout, me, and the login throttle over real HTTP.
import { beforeAll, describe, expect, test } from "bun:test";
import { sha256Hex } from "../../src/auth/tokens.ts";
import { eachDriver, startPicloud } from "../support/picloud.ts";

eachDriver((driver) => {
  describe(`${driver}: sessions`, () => {
    const pic = startPicloud({ driver });
    const adm = (method: string, path: string, body?: unknown, token?: string, headers?: Record<string, string>) =>
      pic.api(method, `/api/v1/admin${path}`, body, { token: token ?? null, headers });
    let owner: string;

    beforeAll(async () => {
      owner = await pic.login();
    });

    test("login answers {token, user} and an HttpOnly SameSite=Lax cookie; me has the same user shape", async () => {
      const r = await adm("POST", "/auth/login", { username: pic.admin.username, password: pic.admin.password });
      expect(r.status).toBe(200);
      expect(typeof r.body.token).toBe("string");
      expect(Object.keys(r.body.user).sort()).toEqual(["email", "id", "instance_role", "username"]);
      expect(r.body.user).toMatchObject({ username: pic.admin.username, instance_role: "owner" });
      const cookie = r.headers.get("set-cookie") ?? "";
      expect(cookie).toContain(`picloud_session=${r.body.token}`);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
      expect(cookie).not.toMatch(/Secure/i); // plain http on loopback
      const me = await adm("GET", "/auth/me", undefined, r.body.token);
      expect(me.status).toBe(200);
      expect(me.body).toEqual(r.body.user);
      // The cookie alone authenticates too.
      const viaCookie = await adm("GET", "/auth/me", undefined, undefined, { cookie: `picloud_session=${r.body.token}` });
      expect(viaCookie.body).toEqual(r.body.user);
    });

    test("behind an https proxy the cookie is Secure", async () => {
      const r = await adm("POST", "/auth/login", { username: pic.admin.username, password: pic.admin.password }, undefined, {
        "x-forwarded-proto": "https",
      });
      expect(r.headers.get("set-cookie")).toMatch(/;\s*Secure/i);
    });

    test("logout revokes the session server-side (bearer and cookie) and clears the cookie", async () => {
      const token = (await adm("POST", "/auth/login", { username: pic.admin.username, password: pic.admin.password })).body.token;
      const out = await adm("POST", "/auth/logout", undefined, undefined, { cookie: `picloud_session=${token}` });
      expect(out.status).toBe(204);
      expect(out.headers.get("set-cookie")).toMatch(/picloud_session=;.*Max-Age=0/i);
      expect((await adm("GET", "/auth/me", undefined, token)).status).toBe(401);
      expect((await adm("GET", "/auth/me", undefined, undefined, { cookie: `picloud_session=${token}` })).status).toBe(401);
      // Other sessions of the same user live on.
      expect((await adm("GET", "/auth/me", undefined, owner)).status).toBe(200);
    });

    test("sliding expiry: a used session is renewed for another TTL; an expired one is refused", async () => {
      const login = (await adm("POST", "/auth/login", { username: pic.admin.username, password: pic.admin.password })).body;
      // Only the token's digest is stored.
      const [{ id }] = (await pic.db.query<{ id: string }>("SELECT id FROM sessions WHERE token_hash = $1", [sha256Hex(login.token)])) as [{ id: string }];
      // Pretend it was last used two minutes ago and ends in one.
      await pic.db.query(
        "UPDATE sessions SET last_seen_at = now() - interval '2 minutes', expires_at = now() + interval '1 minute' WHERE id = $1", [id]);
      pic.services.auth.sessions.clear(); // what a cache expiry would do
      expect((await adm("GET", "/auth/me", undefined, login.token)).status).toBe(200);
      const [row] = await pic.db.query<{ hours: number }>(
        "SELECT extract(epoch FROM expires_at - now()) / 3600 AS hours FROM sessions WHERE id = $1", [id]);
      expect(Number(row!.hours)).toBeGreaterThan(23.9); // PICLOUD_SESSION_TTL_HOURS defaults to 24
      await pic.db.query("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1", [id]);
      pic.services.auth.sessions.clear();
      expect((await adm("GET", "/auth/me", undefined, login.token)).status).toBe(401);
    });

    test("a cookie is ignored on a state-changing request from another origin (CSRF); bearer tokens are not", async () => {
      const token = (await adm("POST", "/auth/login", { username: pic.admin.username, password: pic.admin.password })).body.token;
      const cookie = { cookie: `picloud_session=${token}` };
      let n = 0;
      const post = (headers: Record<string, string>, t?: string) =>
        adm("POST", "/apps", { slug: `csrf-${n++}`, name: "x" }, t, headers);
      expect((await post({ ...cookie, origin: "http://evil.example" })).status).toBe(401);
      expect((await post({ ...cookie, "sec-fetch-site": "same-site" })).status).toBe(401);
      expect((await post({ ...cookie, origin: "null" })).status).toBe(401);
      expect((await post({ ...cookie, origin: pic.url })).status).toBe(201);
      expect((await post({ ...cookie, "sec-fetch-site": "same-origin" })).status).toBe(201);
      expect((await post(cookie)).status).toBe(201); // no Origin: not a browser
      // Behind a reverse proxy: the browser's own verdict, or the forwarded host, decides.
      expect((await post({ ...cookie, origin: "https://pi.example.test", "sec-fetch-site": "same-origin" })).status).toBe(201);
      expect((await post({ ...cookie, origin: "https://pi.example.test", "x-forwarded-host": "pi.example.test" })).status).toBe(201);
      expect((await post({ ...cookie, origin: "https://evil.example.test", "x-forwarded-host": "pi.example.test" })).status).toBe(401);
      expect((await post({ origin: "http://evil.example" }, token)).status).toBe(201);
      // Reads are not state-changing: a cross-origin GET still sees the cookie (CORS keeps the answer from the page).
      expect((await adm("GET", "/auth/me", undefined, undefined, { ...cookie, origin: "http://evil.example" })).status).toBe(200);
    });

    test("wrong password, unknown user and garbage tokens are 401 with the JSON error shape", async () => {
      for (const body of [{ username: pic.admin.username, password: "nope-nope" }, { username: "nobody-here", password: "x" }]) {
        const r = await adm("POST", "/auth/login", body);
        expect([r.status, r.body.error.code, r.body.error.message]).toEqual([401, "unauthorized", "invalid username or password"]);
      }
      for (const header of ["Bearer nonsense", "Bearer pic_short", "Basic abc"]) {
        const r = await adm("GET", "/auth/me", undefined, undefined, { authorization: header });
        expect([header, r.status]).toEqual([header, 401]);
      }
      const missing = await adm("POST", "/auth/login", { username: "x" });
      expect([missing.status, missing.body.error.field]).toEqual([422, "password"]);
    });

    test("repeated failures slow a username down (429 + Retry-After), even for the right password", async () => {
      const create = await adm("POST", "/admins", { username: "throttled", password: "right-password" }, owner);
      expect(create.status).toBe(201);
      for (let i = 0; i < 5; i++) {
        expect((await adm("POST", "/auth/login", { username: "throttled", password: `wrong-${i}` })).status).toBe(401);
      }
      const r = await adm("POST", "/auth/login", { username: "THROTTLED", password: "right-password" });
      expect(r.status).toBe(429);
      expect(r.body.error.code).toBe("rate_limited");
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      // Other accounts are not affected.
      expect((await adm("POST", "/auth/login", { username: pic.admin.username, password: pic.admin.password })).status).toBe(200);
    });
  });
});
