// The data plane over real HTTP on both drivers: Host → app → route →
// script, precedence, ctx.params/rest/query/principal, the execute endpoint,
// body limits at the socket, and failure statuses (DESIGN §4).
import { expect, test } from "bun:test";
import { eachDriver, startPicloud } from "../support/picloud.ts";
import { ECHO_CTX, addRoute, call, claim, createScript } from "./exec-helpers.ts";

eachDriver((driver) => {
  const pic = startPicloud({ driver });

  test(`${driver}: a fresh install answers GET /hello on localhost`, async () => {
    const res = await call(pic, "localhost", "/hello");
    expect(res.status).toBe(200);
    expect(res.body).toBe("Hello from PiCloud!\n");
    expect((await call(pic, "localhost", "/hello", { method: "HEAD" })).status).toBe(200);
  });

  test(`${driver}: a host no app claims is a JSON 404 naming it`, async () => {
    const res = await call(pic, "nobody.example", "/hello");
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: "not_found", message: "no app claims host nobody.example" });
  });

  test(`${driver}: an unmatched path on a claimed host is a JSON 404`, async () => {
    const res = await call(pic, "localhost", "/no/such/route");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
    expect(res.body.error.message).toContain("/no/such/route");
  });

  test(`${driver}: exact beats param beats prefix, with ctx.params, ctx.rest and ctx.query`, async () => {
    const exact = await createScript(pic, "dp-exact", ECHO_CTX);
    const param = await createScript(pic, "dp-param", ECHO_CTX);
    const prefix = await createScript(pic, "dp-prefix", ECHO_CTX);
    expect((await addRoute(pic, exact.id, { method: "GET", path: "/greet/world" })).status).toBe(201);
    expect((await addRoute(pic, param.id, { method: "GET", path: "/greet/:name" })).status).toBe(201);
    expect((await addRoute(pic, prefix.id, { path: "/greet/*" })).status).toBe(201);

    const e = await call(pic, "localhost:1234", "/greet/world");
    expect(e.status).toBe(200);
    expect(e.body).toMatchObject({ script: "dp-exact", params: {}, rest: null });
    expect(e.headers.get("x-picloud-execution-id")).toBe(e.body.executionId);

    const p = await call(pic, "localhost", "/greet/J%C3%BCrgen?x=1&y=two");
    expect(p.body).toMatchObject({ script: "dp-param", params: { name: "Jürgen" }, query: { x: "1", y: "two" } });
    expect(p.body.url).toBe(`http://localhost/greet/J%C3%BCrgen?x=1&y=two`);

    const f = await call(pic, "localhost", "/greet/a/b/c.txt");
    expect(f.body).toMatchObject({ script: "dp-prefix", rest: "a/b/c.txt" });
    // The prefix route takes every verb; the param route only GET.
    const post = await call(pic, "localhost", "/greet/bob", { method: "POST", body: "hi" });
    expect(post.body).toMatchObject({ script: "dp-prefix", method: "POST", rest: "bob", bodyLength: 2 });
  });

  test(`${driver}: wildcard domain claims and host-specific routes`, async () => {
    await claim(pic, "*.wild.test");
    const any = await createScript(pic, "dp-wild-any", ECHO_CTX);
    const strict = await createScript(pic, "dp-wild-strict", ECHO_CTX);
    const wild = await createScript(pic, "dp-wild-wild", ECHO_CTX);
    await addRoute(pic, any.id, { path: "/w" });
    await addRoute(pic, strict.id, { path: "/w", host: "api.wild.test" });
    await addRoute(pic, wild.id, { path: "/w", host: "*.eu.wild.test" });
    expect((await call(pic, "www.wild.test", "/w")).body.script).toBe("dp-wild-any");
    expect((await call(pic, "API.wild.test", "/w")).body.script).toBe("dp-wild-strict");
    expect((await call(pic, "x.eu.wild.test", "/w")).body.script).toBe("dp-wild-wild");
    expect((await call(pic, "deep.x.eu.wild.test", "/w")).body.script).toBe("dp-wild-wild");
    // The wildcard covers subdomains only, not the bare name.
    expect((await call(pic, "wild.test", "/w")).status).toBe(404);
  });

  test(`${driver}: /api/v1/execute/{id} needs no domain; the tail is ctx.rest`, async () => {
    const s = await createScript(pic, "dp-exec", ECHO_CTX);
    const res = await fetch(`${pic.url}/api/v1/execute/${s.id}/a/b?q=1`, { method: "PUT", body: "abc" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ script: "dp-exec", method: "PUT", rest: "a/b", query: { q: "1" }, bodyLength: 3 });
    const plain = await fetch(`${pic.url}/api/v1/execute/${s.id}`);
    expect(await plain.json()).toMatchObject({ rest: null });
    const missing = await fetch(`${pic.url}/api/v1/execute/00000000-0000-4000-8000-000000000000`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("not_found");
    expect((await fetch(`${pic.url}/api/v1/execute/not-a-uuid`)).status).toBe(404);
  });

  test(`${driver}: a valid bearer token becomes ctx.principal; a bad one stays anonymous`, async () => {
    const s = await createScript(pic, "dp-principal", ECHO_CTX);
    const token = await pic.login();
    const signed = await fetch(`${pic.url}/api/v1/execute/${s.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await signed.json()).principal).toMatchObject({ kind: "user", username: "admin", instance_role: "owner" });
    const bad = await fetch(`${pic.url}/api/v1/execute/${s.id}`, { headers: { authorization: "Bearer nonsense" } });
    expect(bad.status).toBe(200);
    expect((await bad.json()).principal).toBeNull();
  });

  test(`${driver}: a body over the script's limit is a 413, by Content-Length and while streaming`, async () => {
    const s = await createScript(pic, "dp-limit", ECHO_CTX, { limits: { request_body_bytes: 1000 } });
    await addRoute(pic, s.id, { method: "POST", path: "/limited" });
    const ok = await call(pic, "localhost", "/limited", { method: "POST", body: "x".repeat(1000) });
    expect(ok.status).toBe(200);
    expect(ok.body.bodyLength).toBe(1000);

    const declared = await call(pic, "localhost", "/limited", { method: "POST", body: "x".repeat(5000) });
    expect(declared.status).toBe(413);
    expect(declared.body.error).toMatchObject({ code: "body_too_large", limit: 1000 });

    // Chunked: no Content-Length, so the server counts as it reads and stops at the limit.
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 64 * 1024) return controller.close();
        sent += 4096;
        controller.enqueue(new Uint8Array(4096).fill(120));
      },
    });
    const chunked = await fetch(`${pic.url}/limited`, { method: "POST", body: stream, headers: { host: "localhost" } });
    expect(chunked.status).toBe(413);
    expect((await chunked.json()).error.code).toBe("body_too_large");
    const viaExecute = await fetch(`${pic.url}/api/v1/execute/${s.id}`, { method: "POST", body: "y".repeat(1001) });
    expect(viaExecute.status).toBe(413);
  });

  test(`${driver}: a script that throws is a 502 script_error; the stack only for authorized callers`, async () => {
    const s = await createScript(pic, "dp-throw", `export default {
      fetch() { throw new Error("boom at the edge"); },
    };`);
    const anon = await fetch(`${pic.url}/api/v1/execute/${s.id}`);
    expect(anon.status).toBe(502);
    const body = await anon.json();
    expect(body.error).toMatchObject({ code: "script_error" });
    expect(body.error.message).toContain("boom at the edge");
    expect(body.error.stack).toBeUndefined();
    const token = await pic.login();
    const admin = await fetch(`${pic.url}/api/v1/execute/${s.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(admin.status).toBe(502);
    expect(typeof (await admin.json()).error.stack).toBe("string");
  });

  test(`${driver}: a script past its wall clock is a 504`, async () => {
    const s = await createScript(pic, "dp-slow", `export default {
      fetch() { return new Promise(() => {}); },
    };`, { limits: { timeout_ms: 300 } });
    const res = await fetch(`${pic.url}/api/v1/execute/${s.id}`);
    expect(res.status).toBe(504);
    expect((await res.json()).error.code).toBe("timeout");
  });

  test(`${driver}: a platform path is never a user route`, async () => {
    const s = await createScript(pic, "dp-shadow", ECHO_CTX);
    await addRoute(pic, s.id, { path: "/*" });
    expect((await call(pic, "localhost", "/healthz")).body).toBe("ok");
    expect((await call(pic, "localhost", "/anything/else")).body.script).toBe("dp-shadow");
  });

  test(`${driver}: a byte body the script left untyped arrives whole with no content-type, whatever framing it claims`, async () => {
    const s = await createScript(pic, "dp-untyped", `export default { fetch(req) {
      const n = Number(new URL(req.url).searchParams.get("n"));
      const bytes = new Uint8Array(n);
      for (let i = 0; i < n; i++) bytes[i] = i % 251;
      return new Response(bytes, { headers: { "content-length": "3", "transfer-encoding": "chunked", "x-ok": "1" } });
    } };`);
    for (const n of [10, 200_000]) {
      const res = await fetch(`${pic.url}/api/v1/execute/${s.id}?n=${n}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBeNull();
      expect(res.headers.get("x-ok")).toBe("1");
      const got = new Uint8Array(await res.arrayBuffer());
      expect(got.byteLength).toBe(n);
      expect(got.every((b, i) => b === i % 251)).toBe(true);
    }
    const head = await fetch(`${pic.url}/api/v1/execute/${s.id}?n=10`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBeNull();
    expect(await head.text()).toBe("");
    // The connection still serves the next request.
    expect((await fetch(`${pic.url}/api/v1/execute/${s.id}?n=5`)).status).toBe(200);
  });

  test(`${driver}: ctx.remoteAddr is the client's socket address, never X-Forwarded-For`, async () => {
    const s = await createScript(pic, "dp-remote", `export default { fetch(req, ctx) { return Response.json(ctx.remoteAddr); } };`);
    const res = await fetch(`${pic.url}/api/v1/execute/${s.id}`, { headers: { "x-forwarded-for": "203.0.113.9", forwarded: "for=203.0.113.9" } });
    const addr = await res.json();
    expect(addr).toMatchObject({ transport: "tcp", hostname: "127.0.0.1" });
    expect(addr.port).toBeGreaterThan(0);
  });
});

eachDriver((driver) => {
  const pic = startPicloud({ driver, env: { PICLOUD_MAX_CONCURRENT_EXECUTIONS: "1" } });

  test(`${driver}: a full execution gate answers 503 with Retry-After: 1 at once`, async () => {
    const s = await createScript(pic, "dp-gate", `export default {
      fetch() { return new Promise((resolve) => setTimeout(() => resolve(new Response("done")), 1500)); },
    };`);
    const url = `${pic.url}/api/v1/execute/${s.id}`;
    const first = fetch(url);
    // Wait until the first invocation holds the only slot (its log row is queued when it ends, so poll the gate).
    for (let i = 0; i < 100 && pic.services.runtime.stats().inFlight === 0; i++) await Bun.sleep(10);
    const second = await fetch(url);
    expect(second.status).toBe(503);
    expect(second.headers.get("retry-after")).toBe("1");
    expect((await second.json()).error.code).toBe("gate_full");
    expect((await first).status).toBe(200);
  });
});
