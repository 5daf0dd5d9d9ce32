// Hostile scripts through the full stack (admin API → route → pool → QuickJS
// → HTTP): escape attempts and resource abuse. Each must be contained with
// its DESIGN §4 status, and the next request — to the same script and to
// another app's script — must still succeed; the server never goes down.
import { beforeAll, describe, expect, test } from "bun:test";
import { eachDriver, startPicloud } from "../support/picloud.ts";
import { ADMIN, bind, createApp, deploy, expectErrorShape, hit } from "./fixtures/harness.ts";

/** Wraps an abusive body so `?ok` makes the same script answer normally. */
const abusive = (body: string, prelude = "") => `${prelude}
export default {
  async fetch(req, ctx) {
    if (new URL(req.url).searchParams.has("ok")) return new Response("fine");
    ${body}
  },
};
`;

const PROBE_GLOBALS = `export default {
  async fetch() {
    const out = {};
    const probe = (name, fn) => { try { out[name] = fn(); } catch (e) { out[name] = "threw " + e.name; } };
    probe("Bun", () => typeof Bun);
    probe("process", () => typeof process);
    probe("require", () => typeof require);
    probe("module", () => typeof module);
    probe("__dirname", () => typeof __dirname);
    probe("Deno.run", () => typeof Deno.run);
    probe("Deno.readTextFile", () => typeof Deno.readTextFile);
    probe("Deno.Command", () => typeof Deno.Command);
    probe("Deno.env.toObject", () => JSON.stringify(Deno.env.toObject()));
    probe("WebAssembly", () => typeof WebAssembly);
    probe("ctor", () => { const g = (function () {}).constructor("return this")(); return [typeof g.Bun, typeof g.process]; });
    probe("ctorProcess", () => (0, [].constructor.constructor)("return typeof process")());
    probe("asyncCtor", () => typeof (async function () {}).constructor("return process"));
    probe("evalBun", () => eval("typeof Bun"));
    probe("stackHost", () => /\\/work\\/|node_modules|\\.ts:/.test(new Error("x").stack ?? ""));
    for (const spec of ["fs", "node:fs", "bun:sqlite", "child_process", "file:///etc/passwd"]) {
      try { await import(spec); out["import " + spec] = "loaded"; } catch (e) { out["import " + spec] = "refused"; }
    }
    return Response.json(out);
  },
};
`;

eachDriver((driver) => {
  describe(`${driver}: hostile scripts`, () => {
    const pic = startPicloud({ driver });
    const ok: Record<string, string> = {};
    let otherApp = "";

    beforeAll(async () => {
      const other = await createApp(pic, "bystander");
      otherApp = other.id;
      const b = await deploy(pic, "bystander", `export default { fetch: () => Response.json({ ok: true, polluted: ({}).polluted ?? null, arr: [1, 2].map((x) => x * 2), secret: globalThis.tenantSecret ?? null }) };`, {}, otherApp);
      ok.bystander = b.id;
    }, 60_000);

    /** The script's own normal path and another app's script both still answer. */
    async function stillServing(path: string) {
      const same = await hit(pic, `${path}${path.includes("?") ? "&" : "?"}ok`);
      expect(same.status).toBe(200);
      expect(await same.text()).toBe("fine");
      const other = await fetch(`${pic.url}/api/v1/execute/${ok.bystander}`);
      expect(other.status).toBe(200);
      expect(await other.json()).toEqual({ ok: true, polluted: null, arr: [2, 4], secret: null });
      expect((await fetch(`${pic.url}/healthz`)).status).toBe(200);
    }

    async function abuse(name: string, source: string, limits: Record<string, number> = {}) {
      const s = await deploy(pic, name, source, { limits });
      await bind(pic, s.id, { path: `/abuse/${name}` });
      return `/abuse/${name}`;
    }

    test("no ambient authority: Bun, process, require, fs imports, Function-constructor tricks", async () => {
      const s = await deploy(pic, "probe", PROBE_GLOBALS);
      const res = await fetch(`${pic.url}/api/v1/execute/${s.id}`);
      expect(res.status).toBe(200);
      const out = await res.json();
      expect(out).toMatchObject({
        Bun: "undefined", process: "undefined", require: "undefined", module: "undefined", __dirname: "undefined",
        "Deno.run": "undefined", "Deno.readTextFile": "undefined", "Deno.Command": "undefined",
        "Deno.env.toObject": "{}",
        ctor: ["undefined", "undefined"], ctorProcess: "undefined", evalBun: "undefined",
        "import fs": "refused", "import node:fs": "refused", "import bun:sqlite": "refused",
        "import child_process": "refused", "import file:///etc/passwd": "refused",
      });
      expect(out.stackHost).toBe(false);
    }, 30_000);

    test("static imports of host modules never load: 422 at save, or (bare names = module scripts) a 502 at run", async () => {
      const app = (await pic.api("GET", `${ADMIN}/apps/default`)).body.id;
      const save = (spec: string) => pic.api("POST", `${ADMIN}/scripts`, {
        app_id: app, name: `imp-${crypto.randomUUID().slice(0, 8)}`,
        source: `import x from ${JSON.stringify(spec)};\nexport default { fetch: () => new Response(typeof x) };`,
      });
      for (const spec of ["node:fs", "node:child_process", "bun:sqlite", "npm:lodash", "jsr:@std/path", "https://deno.land/x/mod.ts", "file:///etc/passwd"]) {
        const res = await save(spec);
        expect({ spec, status: res.status }).toEqual({ spec, status: 422 });
        expectErrorShape(res.body, "invalid_request");
        expect(res.body.error.field).toBe("source");
      }
      // DESIGN §3: bare names and relative paths name module scripts of the same app (none exist here).
      for (const spec of ["fs", "bun", "process", "../../../etc/passwd", "./lib.ts"]) {
        const res = await save(spec);
        if (res.status === 422) continue;
        expect({ spec, status: res.status }).toEqual({ spec, status: 201 });
        const run = await fetch(`${pic.url}/api/v1/execute/${res.body.id}`);
        expect({ spec, status: run.status }).toEqual({ spec, status: 502 });
        expectErrorShape(await run.json(), "script_error");
      }
    }, 30_000);

    test("prototype pollution and global writes stay inside the script's own runtime", async () => {
      const path = await abuse("polluter", abusive(`
        Object.prototype.polluted = "yes";
        Array.prototype.map = function () { return ["hijacked"]; };
        globalThis.tenantSecret = "A-secret";
        JSON.parse = () => ({ hijacked: true });
        Object.defineProperty(Object.prototype, "toJSON", { value: () => "owned", configurable: true, writable: true });
        return new Response("polluted");`));
      const res = await hit(pic, path);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("polluted");
      // The host (this process runs the server) is untouched.
      expect(({} as any).polluted).toBeUndefined();
      expect([1, 2].map((x) => x * 2)).toEqual([2, 4]);
      expect(JSON.parse('{"a":1}')).toEqual({ a: 1 });
      // Admin answers are still real JSON.
      const apps = await pic.api("GET", `${ADMIN}/apps`);
      expect(apps.status).toBe(200);
      expect(Array.isArray(apps.body)).toBe(true);
      await stillServing(path);
    }, 30_000);

    test("a script that replaces Response, Promise and JSON cannot fake or hang the platform's answer", async () => {
      const path = await abuse("tamper", `
        const RealResponse = Response;
        export default {
          async fetch(req) {
            if (new URL(req.url).searchParams.has("ok")) return new RealResponse("fine");
            Object.prototype.then = function (resolve) { resolve(42); };
            globalThis.Response = function () { return { status: 200, body: "fake" }; };
            globalThis.Promise = function () {};
            JSON.stringify = () => "{}";
            return new RealResponse("tampered", { status: 201 });
          },
        };`, { timeout_ms: 3000 });
      const res = await hit(pic, path);
      // Either the answer the script built, or a script error — never a hang, a 500 or a crash.
      expect([201, 502]).toContain(res.status);
      // The script poisoned its own warm runtime (as it would its own isolate in Deno: a
      // Response with an inherited \`then\` is a thenable); other scripts are untouched.
      const other = await fetch(`${pic.url}/api/v1/execute/${ok.bystander}`);
      expect(await other.json()).toEqual({ ok: true, polluted: null, arr: [2, 4], secret: null });
    }, 30_000);

    test("while(true) is stopped by the CPU budget: 507", async () => {
      const path = await abuse("spin", abusive("while (true) {}"), { cpu_ms: 300, timeout_ms: 10_000 });
      const res = await hit(pic, path);
      expect(res.status).toBe(507);
      expectErrorShape(await res.json(), "budget_exceeded");
      await stillServing(path);
    }, 30_000);

    test("an async spin (busy loop after an await) is stopped too", async () => {
      const path = await abuse("async-spin", abusive("await null; await new Promise((r) => setTimeout(r, 1)); for (;;) {}"), { cpu_ms: 300, timeout_ms: 10_000 });
      const res = await hit(pic, path);
      expect([504, 507]).toContain(res.status);
      await stillServing(path);
    }, 30_000);

    test("a memory bomb hits the memory limit: 507", async () => {
      const path = await abuse("membomb", abusive(`
        const hoard = [];
        for (let i = 0; ; i++) hoard.push(new Array(100000).fill(i));`), { memory_mb: 16, cpu_ms: 5000 });
      const res = await hit(pic, path);
      expect(res.status).toBe(507);
      expectErrorShape(await res.json(), "budget_exceeded");
      await stillServing(path);
    }, 30_000);

    test("a string-doubling bomb is contained", async () => {
      const path = await abuse("strbomb", abusive(`let s = "x"; for (;;) s += s; `), { memory_mb: 16, cpu_ms: 5000 });
      const res = await hit(pic, path);
      expect([502, 507]).toContain(res.status);
      await stillServing(path);
    }, 30_000);

    test("deep recursion is a script error (stack overflow), not a crash", async () => {
      const path = await abuse("recurse", abusive(`const f = (n) => f(n + 1) + 1; return new Response(String(f(0)));`));
      const res = await hit(pic, path);
      expect([502, 507]).toContain(res.status);
      expectErrorShape(await res.json());
      // A script that catches its own overflow carries on, as in Deno.
      const caught = await abuse("recurse-caught", abusive(`
        let depth = 0; const f = () => { depth++; f(); };
        try { f(); } catch (e) { return Response.json({ caught: true, deep: depth > 100 }); }`));
      const res2 = await hit(pic, caught);
      expect(res2.status).toBe(200);
      expect(await res2.json()).toEqual({ caught: true, deep: true });
      await stillServing(path);
    }, 30_000);

    test("100 MB of console output is capped per invocation; the request still answers", async () => {
      const path = await abuse("chatty", abusive(`
        const line = "x".repeat(1024 * 1024);
        for (let i = 0; i < 100; i++) console.log(line);
        console.error("done");
        return new Response("said a lot");`), { console_bytes: 4096, cpu_ms: 5000 });
      const res = await hit(pic, path);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("said a lot");
      const execId = res.headers.get("x-picloud-execution-id");
      expect(execId).toBeTruthy();
      let log: any = null;
      for (let i = 0; i < 200 && !log; i++) {
        const r = await pic.api("GET", `${ADMIN}/logs/${execId}`);
        if (r.status === 200) log = r.body;
        else await Bun.sleep(25);
      }
      expect(log).not.toBeNull();
      expect(log.console_truncated).toBe(true);
      expect(JSON.stringify(log.console).length).toBeLessThan(64 * 1024);
      await stillServing(path);
    }, 30_000);

    test("a response body past the limit is refused, not streamed", async () => {
      const path = await abuse("bigbody", abusive(`return new Response("x".repeat(8 * 1024 * 1024));`), { response_body_bytes: 1024 * 1024 });
      const res = await hit(pic, path);
      expect([413, 502]).toContain(res.status);
      const text = await res.text();
      expect(text.length).toBeLessThan(64 * 1024);
      expectErrorShape(JSON.parse(text));
      await stillServing(path);
    }, 30_000);

    test("a streamed response body past the limit is cut off", async () => {
      const path = await abuse("bigstream", abusive(`
        const chunk = new TextEncoder().encode("y".repeat(64 * 1024));
        let n = 0;
        return new Response(new ReadableStream({ pull(c) { if (n++ > 200) c.close(); else c.enqueue(chunk); } }));`),
        { response_body_bytes: 256 * 1024 });
      const res = await hit(pic, path);
      const buf = await res.arrayBuffer().catch(() => new ArrayBuffer(0));
      // Either refused up front or truncated: never more than the limit reaches the client as a success.
      if (res.status === 200) expect(buf.byteLength).toBeLessThanOrEqual(256 * 1024);
      else expect([413, 502]).toContain(res.status);
      await stillServing(path);
    }, 30_000);

    test("a promise that never settles ends at the wall clock: 504", async () => {
      const path = await abuse("forever", abusive(`return new Promise(() => {});`), { timeout_ms: 500 });
      const res = await hit(pic, path);
      expect([502, 504]).toContain(res.status);
      expectErrorShape(await res.json());
      const hung = await abuse("forever-timer", abusive(`return new Promise((r) => setTimeout(r, 60_000));`), { timeout_ms: 500 });
      const res2 = await hit(pic, hung);
      expect(res2.status).toBe(504);
      expectErrorShape(await res2.json(), "timeout");
      await stillServing(path);
    }, 30_000);

    test("a setInterval storm is cleared when the invocation ends", async () => {
      const path = await abuse("storm", abusive(`
        globalThis.ticks = 0;
        for (let i = 0; i < 5000; i++) setInterval(() => { globalThis.ticks++; }, 0);
        await new Promise((r) => setTimeout(r, 20));
        return new Response("stormed");`), { cpu_ms: 5000, timeout_ms: 5000 });
      const res = await hit(pic, path);
      expect([200, 507]).toContain(res.status);
      await res.text();
      await stillServing(path);
      // Again: the storm does not pile up across invocations.
      const again = await hit(pic, path);
      expect([200, 507]).toContain(again.status);
      await again.text();
      await stillServing(path);
    }, 30_000);

    test("catastrophic regex backtracking is interrupted", async () => {
      const path = await abuse("redos", abusive(`return new Response(String(/^(a+)+$/.test("a".repeat(40) + "!")));`), { cpu_ms: 300, timeout_ms: 3000 });
      const res = await hit(pic, path);
      expect([504, 507]).toContain(res.status);
      await stillServing(path);
    }, 30_000);

    test("a backtracking pattern in the host-backed URLPattern finishes or is cut off; the worker keeps serving", async () => {
      const path = await abuse("urlpattern-redos", abusive(`
        const p = new URLPattern({ pathname: "/:x((?:a+)+b)" });
        return new Response(String(p.test("http://x.test/" + "a".repeat(40) + "c")));`), { cpu_ms: 500, timeout_ms: 2000 });
      const res = await hit(pic, path);
      expect([200, 504, 507]).toContain(res.status);
      const text = await res.text();
      if (res.status === 200) expect(text).toBe("false");
      else expectErrorShape(JSON.parse(text));
      await stillServing(path);
    }, 60_000);

    test("host-side work on huge inputs is bounded (TextEncoder, digest, JSON)", async () => {
      const path = await abuse("host-heavy", abusive(`
        const s = "x".repeat(8 * 1024 * 1024);
        const bytes = new TextEncoder().encode(s);
        const d = await crypto.subtle.digest("SHA-256", bytes);
        const j = JSON.stringify({ s });
        return new Response(String(d.byteLength + j.length));`), { memory_mb: 64, cpu_ms: 3000, timeout_ms: 10_000 });
      const res = await hit(pic, path);
      expect([200, 502, 504, 507]).toContain(res.status);
      await res.text();
      await stillServing(path);
    }, 60_000);

    test("a script cannot read another app's globals; warm globals stay per script", async () => {
      const writer = await deploy(pic, "writer", `export default { fetch() { globalThis.tenantSecret = "A-secret"; globalThis.n = (globalThis.n ?? 0) + 1; return new Response(String(globalThis.n)); } };`);
      expect((await (await fetch(`${pic.url}/api/v1/execute/${writer.id}`)).text())).toMatch(/^\d+$/);
      const reader = await deploy(pic, "reader", `export default { fetch: () => Response.json({ secret: globalThis.tenantSecret ?? null, n: globalThis.n ?? null }) };`, {}, otherApp);
      const res = await fetch(`${pic.url}/api/v1/execute/${reader.id}`);
      expect(await res.json()).toEqual({ secret: null, n: null });
      // Same app, different script: still its own runtime (DESIGN §4).
      const sibling = await deploy(pic, "sibling", `export default { fetch: () => Response.json({ secret: globalThis.tenantSecret ?? null }) };`);
      expect(await (await fetch(`${pic.url}/api/v1/execute/${sibling.id}`)).json()).toEqual({ secret: null });
    }, 30_000);

    test("hostile responses: bad status, CRLF in headers, non-Response values, odd throws → 502, never 500", async () => {
      const cases: Array<[string, string]> = [
        ["status-999", `return new Response("x", { status: 999 });`],
        ["status-0", `return new Response("x", { status: 0 });`],
        ["status-101", `return new Response("x", { status: 101 });`],
        ["crlf-header", `return new Response("x", { headers: { "x-a": "a\\r\\nset-cookie: evil=1" } });`],
        ["crlf-name", `const h = new Headers(); h.set("x-b\\r\\nevil", "1"); return new Response("x", { headers: h });`],
        ["bad-header-value", `return new Response("x", { headers: { "x-c": "\\u0000" } });`],
        ["string", `return "hello";`],
        ["null", `return null;`],
        ["plain-object", `return { status: 200, body: "fake", headers: {} };`],
        ["fake-response", `return Object.create(Response.prototype);`],
        ["throw-number", `throw 42;`],
        ["throw-null", `throw null;`],
        ["throw-evil", `throw { get message() { throw new Error("gotcha"); }, toString() { throw new Error("again"); } };`],
        ["throw-huge", `throw new Error("m".repeat(5 * 1024 * 1024));`],
        ["reject-later", `await new Promise((r) => setTimeout(r, 5)); throw new TypeError("late");`],
        ["proxy-response", `return new Proxy(new Response("p"), { get(t, k) { if (k === "status") throw new Error("trap"); return Reflect.get(t, k); } });`],
      ];
      for (const [name, body] of cases) {
        const path = await abuse(`resp-${name}`, abusive(body));
        const res = await hit(pic, path);
        const text = await res.text();
        expect({ name, status: res.status }).toEqual({ name, status: 502 });
        expect({ name, injected: res.headers.get("set-cookie") }).toEqual({ name, injected: null });
        expectErrorShape(JSON.parse(text), "script_error");
        expect({ name, small: text.length < 128 * 1024 }).toEqual({ name, small: true });
      }
      await stillServing("/abuse/resp-status-999");
    }, 60_000);

    test("framing headers from a script cannot desync the connection", async () => {
      const path = await abuse("framing", abusive(`return new Response("0123456789", { headers: {
        "content-length": "3", "transfer-encoding": "chunked", connection: "close", "x-ok": "1" } });`));
      const res = await hit(pic, path);
      // Either the platform fixes the framing (the whole body arrives) or refuses the response.
      if (res.status === 200) expect(await res.text()).toBe("0123456789");
      else expect(res.status).toBe(502);
      // The next request on a fresh connection still works.
      await stillServing(path);
    }, 30_000);

    test("outbound fetch to loopback and private addresses is refused by category, never by IP", async () => {
      const path = await abuse("ssrf", abusive(`
        const out = {};
        const port = new URL(req.url).searchParams.get("port");
        for (const u of ["http://127.0.0.1:" + port + "/healthz", "http://localhost:" + port + "/healthz", "http://localhost:1/", "http://[::1]:1/",
                         "http://0.0.0.0:1/", "http://2130706433/", "http://0x7f.1/", "file:///etc/passwd", "ftp://127.0.0.1/"]) {
          try { const r = await fetch(u); out[u] = "fetched " + r.status; } catch (e) { out[u] = e.name + ": " + e.message; }
        }
        return Response.json(out);`), { timeout_ms: 10_000 });
      const res = await hit(pic, `${path}?port=${pic.port}`);
      expect(res.status).toBe(200);
      const out = await res.json();
      expect(Object.keys(out)).toContain(`http://127.0.0.1:${pic.port}/healthz`);
      for (const [u, v] of Object.entries(out) as Array<[string, string]>) {
        expect({ u, refused: !String(v).startsWith("fetched") }).toEqual({ u, refused: true });
        expect({ u, leaksIp: /127\.0\.0\.1|::1|0\.0\.0\.0/.test(String(v).replace(u, "")) }).toEqual({ u, leaksIp: false });
      }
      await stillServing(path);
    }, 30_000);

    test("module scripts and handler-less scripts are never invoked over HTTP", async () => {
      const mod = await pic.api("POST", `${ADMIN}/scripts`, { app_id: (await pic.api("GET", `${ADMIN}/apps/default`)).body.id, name: "a-module", kind: "module", source: `export const x = 1;` });
      expect(mod.status).toBe(201);
      const run = await fetch(`${pic.url}/api/v1/execute/${mod.body.id}`);
      expect([404, 422]).toContain(run.status);
      expectErrorShape(await run.json());
      const route = await pic.api("POST", `${ADMIN}/scripts/${mod.body.id}/routes`, { path: "/module" });
      expect(route.status).toBe(422);
      expectErrorShape(route.body, "invalid_request");
      const eventOnly = await deploy(pic, "event-only", `export default { async event(e, ctx) {} };`);
      const ev = await fetch(`${pic.url}/api/v1/execute/${eventOnly.id}`);
      expect([404, 405, 422, 502]).toContain(ev.status);
      expectErrorShape(await ev.json());
    }, 30_000);

    test("a script that throws or spins while being evaluated is contained like a handler", async () => {
      const boom = await abuse("eval-throw", `throw new Error("at load");\nexport default { fetch: () => new Response("never") };`);
      const r1 = await hit(pic, boom);
      expect(r1.status).toBe(502);
      expectErrorShape(await r1.json(), "script_error");
      const spin = await abuse("eval-spin", `while (true) {}\nexport default { fetch: () => new Response("never") };`, { cpu_ms: 300 });
      const r2 = await hit(pic, spin);
      expect(r2.status).toBe(507);
      const hang = await abuse("eval-hang", `await new Promise(() => {});\nexport default { fetch: () => new Response("never") };`, { timeout_ms: 500 });
      const r3 = await hit(pic, hang);
      expect([502, 504]).toContain(r3.status);
      expectErrorShape(await r3.json());
      // A second request to the same script gets the same containment, not a stuck runtime.
      expect((await hit(pic, spin)).status).toBe(507);
      expect((await fetch(`${pic.url}/api/v1/execute/${ok.bystander}`)).status).toBe(200);
    }, 30_000);

    test("redeploying and deleting a script while requests are in flight never gives a 500", async () => {
      const s = await deploy(pic, "churn", `export default { async fetch() { await new Promise((r) => setTimeout(r, 200)); return new Response("v1"); } };`);
      await bind(pic, s.id, { path: "/churn" });
      const inflight = Array.from({ length: 6 }, () => hit(pic, "/churn").then(async (r) => [r.status, await r.text()] as const));
      await Bun.sleep(50);
      const patched = await pic.api("PATCH", `${ADMIN}/scripts/${s.id}`, { source: `export default { fetch: () => new Response("v2") };` });
      expect(patched.status).toBe(200);
      const results = await Promise.all(inflight);
      for (const [status, text] of results) {
        expect(status).toBe(200);
        expect(["v1", "v2"]).toContain(text);
      }
      const after = await hit(pic, "/churn");
      expect(await after.text()).toBe("v2");
      const slow = await pic.api("PATCH", `${ADMIN}/scripts/${s.id}`, { source: `export default { async fetch() { await new Promise((r) => setTimeout(r, 300)); return new Response("v3"); } };` });
      expect(slow.status).toBe(200);
      const pending = Array.from({ length: 4 }, () => hit(pic, "/churn").then((r) => r.status));
      await Bun.sleep(50);
      expect((await pic.api("DELETE", `${ADMIN}/scripts/${s.id}`)).status).toBe(204);
      for (const status of await Promise.all(pending)) expect([200, 404, 502]).toContain(status);
      const gone = await hit(pic, "/churn");
      expect(gone.status).toBe(404);
      expectErrorShape(await gone.json(), "not_found");
    }, 30_000);

    test("after all of this the server still serves the seeded hello and the admin API", async () => {
      const hello = await hit(pic, "/hello");
      expect(hello.status).toBe(200);
      expect((await pic.api("GET", `${ADMIN}/auth/me`)).status).toBe(200);
    });
  });
});
