// Malformed and hostile requests at the admin API, over loopback. Whatever
// arrives — bad JSON, wrong content types, missing or mistyped fields, huge
// or deeply nested bodies, odd ids — the answer is a 4xx in the JSON error
// shape (422 names the field), never a 500 and never a plain-text default.
import { beforeAll, describe, expect, test } from "bun:test";
import { eachDriver, startPicloud } from "../support/picloud.ts";
import { ADMIN, bind, createApp, deploy, expectErrorShape } from "./fixtures/harness.ts";

/** Ids that can name no row: each must be a 404 (or 422), never a 500. */
const WEIRD_IDS = [
  "not-a-uuid",
  "00000000-0000-0000-0000-000000000000",
  "00000000-0000-4000-8000-000000000000",
  "FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF",
  "1",
  "-1",
  "1e309",
  "null",
  "undefined",
  "%27%3B%20DROP%20TABLE%20apps%3B--",
  "1%20OR%201%3D1",
  "..%2F..%2F..%2Fetc%2Fpasswd",
  "%00",
  "%F0%9F%98%80",
  "a".repeat(5000),
  "%E2%80%AE",
  "%C0%AF",
];

eachDriver((driver) => {
  describe(`${driver}: malformed admin requests`, () => {
    const pic = startPicloud({ driver });
    let app = "";
    let script = "";

    beforeAll(async () => {
      app = (await createApp(pic, "target")).id;
      script = (await deploy(pic, "target", `export default { fetch: () => new Response("ok") };`, {}, app)).id;
      await bind(pic, script, { path: "/target" });
    }, 60_000);

    /** Sends a raw request (admin session) and returns status + parsed body. */
    async function send(method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}) {
      const token = await pic.login();
      const res = await fetch(`${pic.url}${path}`, {
        method, body, redirect: "manual", headers: { authorization: `Bearer ${token}`, ...headers },
      });
      const text = await res.text();
      let parsed: any = text;
      try { parsed = JSON.parse(text); } catch {}
      return { status: res.status, body: parsed, type: res.headers.get("content-type") ?? "", text };
    }

    function expect4xx(r: { status: number; body: any; type: string; text: string }, what: string, allowed: number[], field?: string) {
      expect({ what, status: r.status }).toEqual({ what, status: allowed.includes(r.status) ? r.status : allowed[0]! });
      expect({ what, type: r.type.includes("application/json") }).toEqual({ what, type: true });
      expectErrorShape(r.body);
      // A sub-field (`scopes.0` for `scopes`) names the field too.
      const named = (f: unknown) => typeof f === "string" && (f === field || f.startsWith(`${field}.`)) ? field : f;
      if (r.status === 422 && field !== undefined) expect({ what, field: named(r.body.error.field) }).toEqual({ what, field });
    }

    const JSON_POSTS = () => [
      `${ADMIN}/apps`,
      `${ADMIN}/scripts`,
      `${ADMIN}/scripts/${script}/routes`,
      `${ADMIN}/apps/${app}/domains`,
      `${ADMIN}/apps/${app}/members`,
      `${ADMIN}/admins`,
      `${ADMIN}/api-keys`,
      `${ADMIN}/routes:match`,
      `${ADMIN}/apps/${app}/slug:check`,
      `${ADMIN}/scripts/${script}/rollback`,
    ];

    test("bad JSON on every JSON endpoint is a 422 naming the body", async () => {
      for (const path of JSON_POSTS()) {
        for (const raw of ['{"slug":', "{'a':1}", "not json at all", "{\"a\":1}}", "\u0000", "[1,2", '{"a":"\\ud800"'] ) {
          const r = await send("POST", path, raw, { "content-type": "application/json" });
          expect4xx(r, `POST ${path} ${JSON.stringify(raw)}`, [422], "body");
        }
      }
      const patch = await send("PATCH", `${ADMIN}/apps/${app}`, "{", { "content-type": "application/json" });
      expect4xx(patch, "PATCH apps bad json", [422], "body");
      const patchScript = await send("PATCH", `${ADMIN}/scripts/${script}`, "{", { "content-type": "application/json" });
      expect4xx(patchScript, "PATCH scripts bad json", [422], "body");
    }, 60_000);

    test("JSON that is not an object (null, array, number, string, empty) is a 422", async () => {
      for (const path of JSON_POSTS()) {
        for (const raw of ["null", "[]", "42", '"str"', "true", ""]) {
          const r = await send("POST", path, raw, { "content-type": "application/json" });
          expect4xx(r, `POST ${path} ${JSON.stringify(raw)}`, [422]);
        }
      }
    }, 60_000);

    test("wrong content types never reach a 500", async () => {
      const good = JSON.stringify({ slug: "ctype-app", name: "x" });
      for (const [type, body] of [
        ["text/plain", good],
        ["application/x-www-form-urlencoded", "slug=form-app&name=x"],
        ["multipart/form-data; boundary=zzz", "--zzz\r\nContent-Disposition: form-data; name=\"slug\"\r\n\r\nmp-app\r\n--zzz--\r\n"],
        ["multipart/form-data", "garbage"],
        ["application/xml", "<app><slug>x</slug></app>"],
        ["application/octet-stream", good],
        ["application/json; charset=utf-16", good],
        ["", good],
      ] as const) {
        for (const path of JSON_POSTS()) {
          const r = await send("POST", path, body, type ? { "content-type": type } : {});
          expect({ path, type, status: r.status < 500 }).toEqual({ path, type, status: true });
          if (r.status >= 400) expect4xx(r, `POST ${path} as ${type}`, [r.status]);
        }
      }
    }, 60_000);

    test("missing and mistyped fields are 422s naming the field", async () => {
      const cases: Array<[string, string, unknown, string]> = [
        ["POST", `${ADMIN}/apps`, { slug: 42 }, "slug"],
        ["POST", `${ADMIN}/apps`, { slug: "ok-slug", name: ["x"] }, "name"],
        ["POST", `${ADMIN}/apps`, { slug: "UPPER" }, "slug"],
        ["POST", `${ADMIN}/apps`, { slug: "has space" }, "slug"],
        ["POST", `${ADMIN}/apps`, { slug: "emoji-😀" }, "slug"],
        ["POST", `${ADMIN}/apps`, { slug: "'; DROP TABLE apps;--" }, "slug"],
        ["POST", `${ADMIN}/apps`, { slug: "../../etc" }, "slug"],
        ["POST", `${ADMIN}/apps`, { slug: "a".repeat(64) }, "slug"],
        ["POST", `${ADMIN}/apps`, { slug: "" }, "slug"],
        ["POST", `${ADMIN}/scripts`, { name: "x", source: "export default {fetch(){return new Response('')}}" }, "app_id"],
        ["POST", `${ADMIN}/scripts`, { app_id: "APP", name: "x", source: 1 }, "source"],
        ["POST", `${ADMIN}/scripts`, { app_id: "APP", source: "x" }, "name"],
        ["POST", `${ADMIN}/scripts`, { app_id: "APP", name: 7, source: "x" }, "name"],
        ["POST", `${ADMIN}/scripts`, { app_id: "APP", name: "k", source: "export default {fetch(){return new Response('')}}", kind: "daemon" }, "kind"],
        ["POST", `${ADMIN}/scripts`, { app_id: "APP", name: "l", source: "export default {fetch(){return new Response('')}}", limits: "fast" }, "limits"],
        ["POST", `${ADMIN}/scripts`, { app_id: "APP", name: "l2", source: "export default {fetch(){return new Response('')}}", limits: { timeout_ms: 1e12 } }, "limits.timeout_ms"],
        ["POST", `${ADMIN}/scripts`, { app_id: "APP", name: "l3", source: "export default {fetch(){return new Response('')}}", limits: { timeout_ms: -5 } }, "limits.timeout_ms"],
        ["POST", `${ADMIN}/scripts`, { app_id: "APP", name: "l4", source: "export default {fetch(){return new Response('')}}", limits: { timeout_ms: 1.5 } }, "limits.timeout_ms"],
        ["POST", `${ADMIN}/scripts`, { app_id: "APP", name: "l5", source: "export default {fetch(){return new Response('')}}", limits: { __proto__: 1, bogus: 2 } }, "limits.bogus"],
        ["POST", `${ADMIN}/scripts`, { app_id: "APP", name: "syntax", source: "export default { fetch( { " }, "source"],
        ["POST", `${ADMIN}/scripts`, { app_id: "APP", name: "nohandler", source: "const x = 1;" }, "source"],
        ["POST", `${ADMIN}/scripts/SCRIPT/routes`, { method: "FETCH", path: "/m" }, "method"],
        ["POST", `${ADMIN}/scripts/SCRIPT/routes`, { path: "no-slash" }, "path"],
        ["POST", `${ADMIN}/scripts/SCRIPT/routes`, { path: 5 }, "path"],
        ["POST", `${ADMIN}/scripts/SCRIPT/routes`, { path: "/x", path_kind: "regex" }, "path_kind"],
        ["POST", `${ADMIN}/scripts/SCRIPT/routes`, { path: "/x", host_kind: "any-ish" }, "host_kind"],
        ["POST", `${ADMIN}/apps/APP/domains`, {}, "domain"],
        ["POST", `${ADMIN}/apps/APP/domains`, { domain: "" }, "domain"],
        ["POST", `${ADMIN}/apps/APP/domains`, { domain: "exa mple.com" }, "domain"],
        ["POST", `${ADMIN}/apps/APP/domains`, { domain: "http://x.example/" }, "domain"],
        ["POST", `${ADMIN}/apps/APP/domains`, { domain: "*.*.example" }, "domain"],
        ["POST", `${ADMIN}/apps/APP/domains`, { domain: `${"a".repeat(300)}.example` }, "domain"],
        ["POST", `${ADMIN}/apps/APP/domains`, { domain: "x.example\r\nSet-Cookie: a=b" }, "domain"],
        ["POST", `${ADMIN}/apps/APP/members`, { user_id: "nope", role: "viewer" }, "user_id"],
        ["POST", `${ADMIN}/apps/APP/members`, { role: "viewer" }, "user_id"],
        ["POST", `${ADMIN}/admins`, { username: "u1", email: "not-an-email", password: "a-long-password-1", instance_role: "member" }, "email"],
        ["POST", `${ADMIN}/admins`, { username: "u2", password: "a-long-password-1", instance_role: "root" }, "instance_role"],
        ["POST", `${ADMIN}/admins`, { password: "a-long-password-1", instance_role: "member" }, "username"],
        ["POST", `${ADMIN}/admins`, { username: "u3", password: 12345678, instance_role: "member" }, "password"],
        ["POST", `${ADMIN}/api-keys`, { name: "k", scopes: ["root:all"] }, "scopes"],
        ["POST", `${ADMIN}/api-keys`, { name: "k", scopes: "app:read" }, "scopes"],
        ["POST", `${ADMIN}/api-keys`, { name: "k", scopes: ["instance:admin"], app_id: "APP" }, "scopes"],
        ["POST", `${ADMIN}/api-keys`, { name: "k", scopes: ["app:read"], expires_at: "yesterday" }, "expires_at"],
        ["POST", `${ADMIN}/scripts/SCRIPT/rollback`, { version: "1" }, "version"],
        ["POST", `${ADMIN}/routes:match`, { method: "GET", url: "not a url" }, "url"],
        ["POST", `${ADMIN}/auth/login`, { username: "admin" }, "password"],
        ["POST", `${ADMIN}/auth/login`, { username: ["admin"], password: "x" }, "username"],
      ];
      for (const [method, rawPath, body, field] of cases) {
        const path = rawPath.replace("APP", app).replace("SCRIPT", script);
        const json = JSON.stringify(body).replaceAll('"APP"', JSON.stringify(app));
        const r = await send(method, path, json, { "content-type": "application/json" });
        expect4xx(r, `${method} ${rawPath} ${json.slice(0, 80)}`, [422], field);
      }
    }, 60_000);

    test("a syntax error names its line and column", async () => {
      const r = await send("POST", `${ADMIN}/scripts`, JSON.stringify({ app_id: app, name: "syntax2", source: "export default {\n  fetch() {\n    return new Response(;\n  }\n};" }), { "content-type": "application/json" });
      expect4xx(r, "syntax", [422], "source");
      expect(JSON.stringify(r.body)).toContain("3");
    });

    test("odd ids on every id-taking endpoint are 404 (or 422), never 500", async () => {
      for (const id of WEIRD_IDS) {
        const j = { "content-type": "application/json" };
        const calls: Array<[string, string, string?]> = [
          ["GET", `${ADMIN}/apps/${id}`],
          ["PATCH", `${ADMIN}/apps/${id}`, '{"name":"x"}'],
          ["DELETE", `${ADMIN}/apps/${id}`],
          ["GET", `${ADMIN}/apps/${id}/domains`],
          ["POST", `${ADMIN}/apps/${id}/domains`, '{"domain":"odd.example"}'],
          ["DELETE", `${ADMIN}/apps/${app}/domains/${id}`],
          ["GET", `${ADMIN}/apps/${id}/members`],
          ["PATCH", `${ADMIN}/apps/${app}/members/${id}`, '{"role":"viewer"}'],
          ["GET", `${ADMIN}/apps/${id}/logs`],
          ["GET", `${ADMIN}/scripts/${id}`],
          ["PATCH", `${ADMIN}/scripts/${id}`, '{"description":"x"}'],
          ["DELETE", `${ADMIN}/scripts/${id}`],
          ["GET", `${ADMIN}/scripts/${id}/versions`],
          ["POST", `${ADMIN}/scripts/${id}/rollback`, '{"version":1}'],
          ["GET", `${ADMIN}/scripts/${id}/routes`],
          ["POST", `${ADMIN}/scripts/${id}/routes`, '{"path":"/odd"}'],
          ["GET", `${ADMIN}/scripts/${id}/logs`],
          ["GET", `${ADMIN}/scripts?app=${id}`],
          ["DELETE", `${ADMIN}/routes/${id}`],
          ["GET", `${ADMIN}/logs/${id}`],
          ["PATCH", `${ADMIN}/admins/${id}`, '{"email":null}'],
          ["DELETE", `${ADMIN}/admins/${id}`],
          ["DELETE", `${ADMIN}/api-keys/${id}`],
          ["GET", `/api/v1/execute/${id}`],
        ];
        for (const [method, path, body] of calls) {
          const r = await send(method, path, body, body ? j : {});
          expect4xx(r, `${method} ${path.slice(0, 120)}`, [404, 422]);
        }
        // Paging parameters: a lenient reading is fine, a 500 is not.
        for (const path of [`${ADMIN}/scripts/${script}/logs?before=${id}`, `${ADMIN}/scripts/${script}/logs?limit=${id}`, `${ADMIN}/apps/${app}/logs?before=${id}&limit=${id}`]) {
          const r = await send("GET", path);
          expect({ path: path.slice(0, 120), status: [200, 404, 422].includes(r.status) }).toEqual({ path: path.slice(0, 120), status: true });
          if (r.status !== 200) expect4xx(r, path, [404, 422]);
        }
      }
    }, 120_000);

    test("bodies over the admin limit are refused with a 413 in the JSON shape", async () => {
      const big = JSON.stringify({ slug: "huge", name: "x".repeat(3 * 1024 * 1024) });
      const r = await send("POST", `${ADMIN}/apps`, big, { "content-type": "application/json" });
      expect4xx(r, "3 MB app", [413]);
      const src = JSON.stringify({ app_id: app, name: "huge-src", source: `// ${"x".repeat(3 * 1024 * 1024)}\nexport default { fetch: () => new Response("") };` });
      const s = await send("POST", `${ADMIN}/scripts`, src, { "content-type": "application/json" });
      expect4xx(s, "3 MB script", [413]);
      // Streamed without a Content-Length: counted while reading.
      const chunk = new TextEncoder().encode("x".repeat(1024 * 1024));
      let n = 0;
      const stream = new ReadableStream({
        pull(c) {
          if (n === 0) c.enqueue(new TextEncoder().encode('{"slug":"streamed","name":"'));
          if (n++ > 8) { c.enqueue(new TextEncoder().encode('"}')); c.close(); } else c.enqueue(chunk);
        },
      });
      const st = await send("POST", `${ADMIN}/apps`, stream, { "content-type": "application/json" });
      expect4xx(st, "streamed 9 MB app", [413]);
      expect((await send("GET", `${ADMIN}/apps/huge`)).status).toBe(404);
      expect((await send("GET", `${ADMIN}/apps/streamed`)).status).toBe(404);
    }, 60_000);

    test("a 20 MB body is a 413 in the JSON error shape, at the admin API and at a script's route", async () => {
      const huge = JSON.stringify({ slug: "huge", name: "x".repeat(20 * 1024 * 1024) });
      const r = await send("POST", `${ADMIN}/apps`, huge, { "content-type": "application/json" });
      expect4xx(r, "20 MB app", [413]);
      const res = await fetch(`${pic.url}/api/v1/execute/${script}`, { method: "POST", body: new Uint8Array(20 * 1024 * 1024) });
      expect(res.status).toBe(413);
      expectErrorShape(await res.json(), "body_too_large");
      expect((await fetch(`${pic.url}/api/v1/execute/${script}`)).status).toBe(200);
    }, 60_000);

    test("deeply nested JSON is a 422 (or 413), not a stack overflow 500", async () => {
      for (const depth of [1_000, 100_000]) {
        const nested = `{"slug":"deep","name":"x","description":${"[".repeat(depth)}${"]".repeat(depth)}}`;
        const r = await send("POST", `${ADMIN}/apps`, nested, { "content-type": "application/json" });
        expect4xx(r, `depth ${depth}`, [422, 413]);
      }
    }, 30_000);

    test("__proto__ and constructor keys in a body pollute nothing", async () => {
      const r = await send("POST", `${ADMIN}/apps`, '{"slug":"proto-app","name":"p","__proto__":{"isAdmin":true,"polluted":1},"constructor":{"prototype":{"polluted":2}}}', { "content-type": "application/json" });
      expect(r.status).toBeLessThan(500);
      expect(({} as any).polluted).toBeUndefined();
      expect(({} as any).isAdmin).toBeUndefined();
      const k = await send("POST", `${ADMIN}/api-keys`, '{"name":"p","scopes":["app:read"],"__proto__":{"scopes":["instance:admin"]}}', { "content-type": "application/json" });
      if (k.status === 201) expect(k.body.scopes).toEqual(["app:read"]);
    });

    test("SQL-ish and unicode strings are stored verbatim, not executed", async () => {
      const name = `Robert'); DROP TABLE apps;-- 😀 \u202e ${"ü".repeat(10)}`;
      const r = await send("POST", `${ADMIN}/apps`, JSON.stringify({ slug: "bobby-tables", name, description: "\\x00 %s %n $1 $$ ${}" }), { "content-type": "application/json" });
      expect(r.status).toBe(201);
      const back = await send("GET", `${ADMIN}/apps/bobby-tables`);
      expect(back.body.name).toBe(name);
      expect(back.body.description).toBe("\\x00 %s %n $1 $$ ${}");
      const list = await send("GET", `${ADMIN}/apps`);
      expect(list.status).toBe(200);
      const scriptName = `s'; DELETE FROM scripts;--`;
      const s = await send("POST", `${ADMIN}/scripts`, JSON.stringify({ app_id: app, name: scriptName, source: "export default { fetch: () => new Response('') };" }), { "content-type": "application/json" });
      expect([201, 422]).toContain(s.status);
      if (s.status === 422) expect(s.body.error.field).toBe("name");
      expect((await send("GET", `${ADMIN}/scripts/${script}`)).status).toBe(200);
      const search = await send("GET", `${ADMIN}/scripts?app=${encodeURIComponent("x' OR '1'='1")}`);
      expect4xx(search, "scripts?app=sql", [404, 422]);
      // NUL bytes cannot be stored by Postgres text: a 422, not a 500.
      const nul = await send("POST", `${ADMIN}/apps`, JSON.stringify({ slug: "nul-app", name: "a\u0000b" }), { "content-type": "application/json" });
      expect(nul.status === 201 || nul.status === 422).toBe(true);
      if (nul.status === 422) expectErrorShape(nul.body, "invalid_request");
      const nulSrc = await send("POST", `${ADMIN}/scripts`, JSON.stringify({ app_id: app, name: "nul-src", source: "export default { fetch: () => new Response('a\u0000b') };" }), { "content-type": "application/json" });
      expect(nulSrc.status === 201 || nulSrc.status === 422).toBe(true);
      const nulDomain = await send("POST", `${ADMIN}/apps/${app}/domains`, JSON.stringify({ domain: "a\u0000.example" }), { "content-type": "application/json" });
      expect4xx(nulDomain, "nul domain", [422], "domain");
    }, 30_000);

    test("duplicates are 409s naming the other object", async () => {
      const a = await send("POST", `${ADMIN}/apps`, JSON.stringify({ slug: "target", name: "again" }), { "content-type": "application/json" });
      expect4xx(a, "dup app", [409]);
      const s = await send("POST", `${ADMIN}/scripts`, JSON.stringify({ app_id: app, name: "target", source: "export default { fetch: () => new Response('') };" }), { "content-type": "application/json" });
      expect4xx(s, "dup script", [409]);
      const r = await send("POST", `${ADMIN}/scripts/${script}/routes`, JSON.stringify({ path: "/target" }), { "content-type": "application/json" });
      expect4xx(r, "dup route", [409]);
      await send("POST", `${ADMIN}/apps/${app}/domains`, JSON.stringify({ domain: "dup.example" }), { "content-type": "application/json" });
      const d = await send("POST", `${ADMIN}/apps/${app}/domains`, JSON.stringify({ domain: "DUP.example" }), { "content-type": "application/json" });
      expect4xx(d, "dup domain", [409]);
      const u1 = await send("POST", `${ADMIN}/admins`, JSON.stringify({ username: "dupe", password: "a-long-password-1", instance_role: "member" }), { "content-type": "application/json" });
      expect(u1.status).toBe(201);
      const u2 = await send("POST", `${ADMIN}/admins`, JSON.stringify({ username: "dupe", password: "a-long-password-1", instance_role: "member" }), { "content-type": "application/json" });
      expect4xx(u2, "dup user", [409]);
    }, 30_000);

    test("unknown paths and methods, and missing credentials, answer in the JSON shape", async () => {
      for (const [method, path] of [
        ["GET", `${ADMIN}/nope`], ["PUT", `${ADMIN}/apps`], ["GET", "/api/v1/nope"], ["GET", "/api/v2/admin/apps"],
      ] as const) {
        const r = await send(method, path);
        expect({ method, path, ok: r.status >= 400 && r.status < 500, json: typeof r.body === "object" }).toEqual({ method, path, ok: true, json: true });
        expectErrorShape(r.body);
      }
      for (const path of [`${ADMIN}/apps`, `${ADMIN}/scripts/${script}`, `${ADMIN}/admins`, `${ADMIN}/api-keys`, `${ADMIN}/logs/${script}`]) {
        const res = await fetch(`${pic.url}${path}`);
        expect({ path, status: res.status }).toEqual({ path, status: 401 });
        expectErrorShape(await res.json(), "unauthorized");
        const bad = await fetch(`${pic.url}${path}`, { headers: { authorization: "Bearer pic_AAAA" } });
        expect({ path, status: bad.status }).toEqual({ path, status: 401 });
        const junk = await fetch(`${pic.url}${path}`, { headers: { authorization: "Basic Zm9vOmJhcg==", cookie: "picloud_session=%00%ff" } });
        expect({ path, status: junk.status }).toEqual({ path, status: 401 });
      }
    }, 30_000);

    test("out-of-range numbers are 422s, never integer-overflow 500s", async () => {
      const j = { "content-type": "application/json" };
      for (const version of [2 ** 31, 2 ** 40, Number.MAX_SAFE_INTEGER, 1e308, -(2 ** 31) - 1, 0.5]) {
        const r = await send("POST", `${ADMIN}/scripts/${script}/rollback`, JSON.stringify({ version }), j);
        expect4xx(r, `rollback ${version}`, [422], "version");
      }
      for (const value of [2 ** 31, 2 ** 53, 1e308]) {
        const r = await send("POST", `${ADMIN}/scripts`, JSON.stringify({ app_id: app, name: `big-${String(value).length}`, source: "export default { fetch: () => new Response('') };", limits: { console_bytes: value } }), j);
        expect4xx(r, `limits ${value}`, [422], "limits.console_bytes");
      }
      for (const limit of ["99999999999", "2147483648", "1e400", "NaN", "Infinity", "0x10"]) {
        const r = await send("GET", `${ADMIN}/scripts/${script}/logs?limit=${limit}`);
        expect({ limit, ok: r.status === 200 || r.status === 422 }).toEqual({ limit, ok: true });
        if (r.status === 422) expect4xx(r, `limit=${limit}`, [422], "limit");
      }
    }, 30_000);

    test("a script turned into a module after it was bound stops answering its route", async () => {
      const s = await deploy(pic, "turncoat", `export default { fetch: () => new Response("endpoint") };`, {}, app);
      await bind(pic, s.id, { path: "/turncoat" });
      await pic.api("POST", `${ADMIN}/apps/${app}/domains`, { domain: "turncoat.example" });
      const before = await fetch(`${pic.url}/turncoat`, { headers: { host: "turncoat.example" } });
      expect(await before.text()).toBe("endpoint");
      const patched = await send("PATCH", `${ADMIN}/scripts/${s.id}`, JSON.stringify({ kind: "module" }), { "content-type": "application/json" });
      expect([200, 409, 422]).toContain(patched.status);
      if (patched.status === 200) {
        const after = await fetch(`${pic.url}/turncoat`, { headers: { host: "turncoat.example" } });
        expect(after.status).toBe(404);
        expectErrorShape(await after.json(), "not_found");
        expect((await fetch(`${pic.url}/api/v1/execute/${s.id}`)).status).toBe(404);
      }
    }, 30_000);

    test("oversized credentials and junk tokens are plain 401s", async () => {
      for (const authorization of [`Bearer ${"x".repeat(6000)}`, `Bearer pic_${"A".repeat(52)}`, "Bearer pic_'; DROP TABLE users;--", "Bearer", "Bearer  ", "bearer pic_", "Token abc"]) {
        const res = await fetch(`${pic.url}${ADMIN}/auth/me`, { headers: { authorization } });
        expect({ authorization: authorization.slice(0, 40), status: res.status }).toEqual({ authorization: authorization.slice(0, 40), status: 401 });
        expectErrorShape(await res.json(), "unauthorized");
      }
      const login = await fetch(`${pic.url}${ADMIN}/auth/login`, {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: "x".repeat(1_000_000) }),
      });
      expect([401, 422]).toContain(login.status);
      expectErrorShape(await login.json());
      const emoji = await fetch(`${pic.url}${ADMIN}/auth/login`, {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "ådmin😀\u202e", password: "whatever" }),
      });
      expect([401, 422]).toContain(emoji.status);
    }, 30_000);

    test("password guessing is throttled with 429 + Retry-After in the JSON shape", async () => {
      const u = await pic.api("POST", `${ADMIN}/admins`, { username: "victim", password: "victim-password-123", instance_role: "member" });
      expect(u.status).toBe(201);
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await fetch(`${pic.url}${ADMIN}/auth/login`, {
          method: "POST", headers: { "content-type": "application/json" },
          body: JSON.stringify({ username: "victim", password: `guess-${i}` }),
        });
        statuses.push(res.status);
        const body = await res.json();
        expectErrorShape(body);
        if (res.status === 429) expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      }
      expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(statuses).toContain(429);
    }, 30_000);

    test("the server is still healthy and the target still serves", async () => {
      expect((await fetch(`${pic.url}/healthz`)).status).toBe(200);
      const r = await fetch(`${pic.url}/api/v1/execute/${script}`);
      expect(await r.text()).toBe("ok");
    });
  });
});
