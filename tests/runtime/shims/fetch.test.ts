// fetch() through ShimHost.fetch to a real Bun.serve on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createSandbox, loopbackFetch, sandboxForFile, startEchoServer, type Sandbox } from "./sandbox.ts";

const { sb, same } = await sandboxForFile();
let server: ReturnType<typeof startEchoServer>;
let base: string;
beforeAll(() => {
  server = startEchoServer();
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.stop(true));

describe("fetch", () => {
  test("GET with headers and query", () =>
    same(`const r = await fetch("${base}/echo?a=1", { headers: { "X-Test": "yes" } }); const j = await r.json();
      return [r.status, r.ok, r.statusText, r.headers.get("content-type"), j.method, j.path, j.search, j.headers["x-test"], r.url, r.redirected];`));
  test("POST bodies: string, JSON, bytes, URLSearchParams, FormData, stream", () =>
    same(`const post = async (body, headers) => (await (await fetch("${base}/echo", { method: "POST", body, headers })).json()).body;
      const fd = new FormData(); fd.append("k", "v");
      const stream = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode("stre")); c.enqueue(new TextEncoder().encode("am")); c.close(); } });
      const multipart = await post(fd);
      return [await post("text"), await post(JSON.stringify({ a: 1 }), { "content-type": "application/json" }), await post(new Uint8Array([104, 105])),
        await post(new URLSearchParams({ q: "a b" })), multipart.includes('name="k"') && multipart.includes("v"), await post(stream)];`));
  test("a Request object as input, with its method, headers and body", () =>
    same(`const req = new Request("${base}/r", { method: "PUT", headers: { "x-a": "1" }, body: "put body" });
      const j = await (await fetch(req)).json(); return [j.method, j.path, j.headers["x-a"], j.body];`));
  test("a fetched Response has type basic (spec; Bun says default)", async () => {
    expect(await sb.run(`return (await fetch("${base}/echo")).type;`)).toBe("basic");
  });
  test("multiple set-cookie headers stay separate", () =>
    same(`const r = await fetch("${base}/cookies"); return [r.headers.getSetCookie(), r.headers.get("set-cookie"), await r.text()];`));
  test("redirects are followed (url, redirected)", () =>
    same(`const r = await fetch("${base}/redirect"); const j = await r.json(); return [r.status, r.redirected, r.url, j.search];`));
  test("fetched responses have immutable headers and a readable stream body", async () => {
    expect(await sb.run(`const r = await fetch("${base}/echo"); let err; try { r.headers.set("x", "y"); } catch (e) { err = e instanceof TypeError; }
      const reader = r.body.getReader(); let n = 0; for (;;) { const { value, done } = await reader.read(); if (done) break; n += value.length; }
      return [err, n > 0, r.bodyUsed];`)).toEqual([true, true, true]);
  });
  test("an aborted signal rejects with its reason, before and during the request", async () => {
    expect(await sb.run(`const out = [];
      const c = new AbortController(); c.abort();
      try { await fetch("${base}/echo", { signal: c.signal }); out.push("ok"); } catch (e) { out.push(e.name); }
      const d = new AbortController(); const p = fetch("${base}/slow", { signal: d.signal }); d.abort(new Error("custom"));
      try { await p; out.push("ok"); } catch (e) { out.push(e.message); }
      return out;`)).toEqual(["AbortError", "custom"]);
  });
  test("host refusals reject with a TypeError; invalid input rejects before the host", async () => {
    expect(await sb.run(`const out = [];
      try { await fetch("http://10.0.0.1/"); out.push("ok"); } catch (e) { out.push(e instanceof TypeError, e.message); }
      try { await fetch("not a url"); out.push("ok"); } catch (e) { out.push(e instanceof TypeError); }
      try { await fetch("${base}/", { method: "GET", body: "x" }); out.push("ok"); } catch (e) { out.push(e instanceof TypeError); }
      return out;`)).toEqual([true, "fetch failed: test host: loopback only", true, true]);
  });
  test("a host pump, when given, runs the jobs after a fetch settles", async () => {
    let pumped = 0;
    const own: { sb?: Sandbox } = {};
    own.sb = await createSandbox({
      host: {
        fetch: loopbackFetch,
        pump() {
          pumped++;
          const rt = own.sb!.ctx.runtime;
          if (rt.hasPendingJob()) rt.executePendingJobs().dispose();
        },
      },
    });
    try {
      expect(await own.sb.run(`return (await fetch("${base}/echo")).status;`)).toBe(200);
      expect(pumped).toBeGreaterThan(0);
    } finally {
      own.sb.dispose();
    }
  });
});
