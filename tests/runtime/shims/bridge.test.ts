// The ShimBridge: toRequest/fromResponse, and scripts that tamper with globals and prototypes.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { ResponseTooLargeError, type FromResponseOptions, type WireResponse } from "../../../src/runtime/worker/shims/index.ts";
import { createSandbox, type Sandbox } from "./sandbox.ts";

let sb: Sandbox;
beforeEach(async () => { sb = await createSandbox(); });
afterEach(() => sb.dispose());

const enc = new TextEncoder();
const text = (r: WireResponse) => new TextDecoder().decode(r.body ?? new Uint8Array(0));

/** Evaluates `handler` (a function expression), calls it with a wire request, reads the answer. */
async function invoke(handler: string, wire = { method: "GET", url: "https://example.com/p?q=1", headers: [] as [string, string][], body: null as Uint8Array | null }, options?: FromResponseOptions) {
  const fn = sb.evalHandle(handler);
  const req = sb.bridge.toRequest(wire);
  const result = sb.ctx.callFunction(fn, sb.ctx.undefined, req);
  req.dispose();
  fn.dispose();
  const value = sb.ctx.unwrapResult(result);
  try {
    return await sb.settle(sb.bridge.fromResponse(value, options));
  } finally {
    value.dispose();
  }
}

describe("toRequest", () => {
  test("method, url, headers (case-insensitive) and body bytes reach the script", async () => {
    const res = await invoke(`(async (req) => Response.json({ m: req.method, u: req.url, h: req.headers.get("X-Custom"), all: [...req.headers],
        b: await req.text(), used: req.bodyUsed }))`,
      { method: "POST", url: "https://example.com/a?b=1", headers: [["X-Custom", "v"], ["Accept", "a"], ["accept", "b"]], body: enc.encode("hé\0llo") });
    expect(JSON.parse(text(res))).toEqual({ m: "POST", u: "https://example.com/a?b=1", h: "v", all: [["accept", "a, b"], ["x-custom", "v"]], b: "hé\0llo", used: true });
  });
  test("a request body as a stream, arrayBuffer and formData", async () => {
    const res = await invoke(`(async (req) => { const c = req.clone(); const reader = req.body.getReader(); const parts = [];
        for (;;) { const { value, done } = await reader.read(); if (done) break; parts.push(value.length); }
        const fd = await c.formData(); return new Response(parts.join(",") + ":" + fd.get("a")); })`,
      { method: "POST", url: "https://x/", headers: [["content-type", "application/x-www-form-urlencoded"]], body: enc.encode("a=1&b=2") });
    expect(text(res)).toBe("7:1");
  });
  test("a header value carrying a newline cannot forge another header", async () => {
    const res = await invoke(`((req) => Response.json([...req.headers]))`, { method: "GET", url: "https://x/", headers: [["x-a", "1\nx-forged\n2"]], body: null });
    expect(JSON.parse(text(res))).toEqual([["x-a", "1 x-forged 2"]]);
  });
  test("empty and 1 MiB request bodies", async () => {
    const big = new Uint8Array(1 << 20).map((_, i) => i & 255);
    const res = await invoke(`(async (req) => { const b = await req.bytes(); let sum = 0; for (const x of b) sum = (sum + x) % 65521; return new Response(b.length + ":" + sum); })`,
      { method: "POST", url: "https://x/", headers: [], body: big });
    let sum = 0;
    for (const x of big) sum = (sum + x) % 65521;
    expect(text(res)).toBe(`${big.length}:${sum}`);
    const empty = await invoke(`(async (req) => new Response(String((await req.arrayBuffer()).byteLength) + String(req.body !== null)))`,
      { method: "POST", url: "https://x/", headers: [], body: new Uint8Array(0) });
    expect(text(empty)).toBe("0true");
  });
});

describe("fromResponse", () => {
  test("a plain Response: status, headers in order, set-cookie separate, default content-type", async () => {
    const res = await invoke(`(() => { const h = new Headers({ "X-A": "1" }); h.append("Set-Cookie", "a=1"); h.append("set-cookie", "b=2");
      return new Response("hi", { status: 201, statusText: "Created", headers: h }); })`);
    expect(res).toEqual({ status: 201, statusText: "Created", headers: [["x-a", "1"], ["set-cookie", "a=1"], ["set-cookie", "b=2"], ["content-type", "text/plain;charset=UTF-8"]], body: enc.encode("hi") });
  });
  test("Response.json, a null body, binary bodies and a NUL in a string body", async () => {
    expect(text(await invoke(`(() => Response.json({ a: 1 }))`))).toBe('{"a":1}');
    expect((await invoke(`(() => new Response(null, { status: 204 }))`)).body).toBeNull();
    expect([...(await invoke(`(() => new Response(new Uint8Array([0, 1, 2, 255]).subarray(1)))`)).body!]).toEqual([1, 2, 255]);
    expect(text(await invoke(`(() => new Response("a\\u0000b\\uD800"))`))).toBe("a\0b\uFFFD");
  });
  test("a Promise of a Response and a stream body fed across microtasks", async () => {
    const res = await invoke(`(async () => { await null; let i = 0;
      return new Response(new ReadableStream({ async pull(c) { await Promise.resolve(); if (i < 3) c.enqueue(new TextEncoder().encode("c" + i++)); else c.close(); } }),
        { headers: { "content-type": "text/event-stream" } }); })`);
    expect(text(res)).toBe("c0c1c2");
    expect(res.headers).toEqual([["content-type", "text/event-stream"]]);
  });
  test("not a Response → TypeError naming what it got", async () => {
    await expect(invoke(`(() => undefined)`)).rejects.toThrow("handler must return a Response, got undefined");
    await expect(invoke(`(async () => ({ status: 200, body: "fake" }))`)).rejects.toThrow("handler must return a Response, got an object");
    await expect(invoke(`(() => "text")`)).rejects.toThrow("handler must return a Response, got string");
    await expect(invoke(`(() => null)`)).rejects.toThrow(TypeError);
  });
  test("a rejected promise carries the script's error name, message and stack", async () => {
    const err = await invoke(`(async () => { throw new RangeError("script broke"); })`).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("RangeError");
    expect(err.message).toBe("script broke");
    expect(err.stack).toContain("test.js");
  });
  test("Response.error(), a used body and a failing stream body are rejected", async () => {
    await expect(invoke(`(() => Response.error())`)).rejects.toThrow("Response.error()");
    await expect(invoke(`(async () => { const r = new Response("x"); await r.text(); return r; })`)).rejects.toThrow("already used");
    await expect(invoke(`(() => new Response(new ReadableStream({ pull() { throw new Error("stream died"); } })))`)).rejects.toThrow("stream died");
  });
});

describe("maxBodyBytes", () => {
  const get = { method: "GET", url: "https://x/", headers: [] as [string, string][], body: null };
  test("a body at the cap passes, one byte over rejects with ResponseTooLargeError", async () => {
    expect(text(await invoke(`(() => new Response("12345"))`, get, { maxBodyBytes: 5 }))).toBe("12345");
    const err = await invoke(`(() => new Response("123456"))`, get, { maxBodyBytes: 5 }).catch((e) => e);
    expect(err).toBeInstanceOf(ResponseTooLargeError);
    expect(err.code).toBe("response_too_large");
    await expect(invoke(`(() => new Response(new Uint8Array(10)))`, get, { maxBodyBytes: 5 })).rejects.toBeInstanceOf(ResponseTooLargeError);
  });
  test("an endless stream body is cut off at the cap and cancelled", async () => {
    const err = await invoke(`(() => { globalThis.cancelled = null;
      return new Response(new ReadableStream({ pull(c) { c.enqueue(new Uint8Array(1024)); }, cancel(r) { globalThis.cancelled = r; } })); })`, get, { maxBodyBytes: 10_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(ResponseTooLargeError);
    expect(await sb.run(`return globalThis.cancelled;`)).toBe("response body too large");
  });
});

describe("hostile scripts", () => {
  test("replacing globalThis.Response and Headers does not change what the platform reads", async () => {
    const res = await invoke(`(() => { const Real = Response;
      globalThis.Response = class { constructor() { this.status = 500; } static json() { return new this(); } };
      globalThis.Headers = class { get() { return "evil"; } };
      return new Real("real", { headers: { "x-real": "1" } }); })`);
    expect(res.status).toBe(200);
    expect(text(res)).toBe("real");
    expect(res.headers).toEqual([["x-real", "1"], ["content-type", "text/plain;charset=UTF-8"]]);
    await expect(invoke(`(() => new Response("fake"))`)).rejects.toThrow("handler must return a Response, got an object");
  });
  test("tampering with Response/Headers prototypes and intrinsics does not change the wire answer", async () => {
    const res = await invoke(`(() => { const r = new Response("body", { status: 202, headers: { a: "1" } });
      Object.defineProperty(Response.prototype, "status", { get: () => 999 });
      Object.defineProperty(Response.prototype, "headers", { get: () => ({ evil: true }) });
      Response.prototype.text = async () => "evil"; Response.prototype.arrayBuffer = async () => new ArrayBuffer(1);
      Headers.prototype.get = () => "evil"; Headers.prototype.entries = function* () { yield ["evil", "1"]; }; Headers.prototype.forEach = () => {};
      Array.prototype.push = () => { throw new Error("push"); }; Array.prototype[Symbol.iterator] = function* () { yield "evil"; };
      String.prototype.split = () => ["evil"]; String.prototype.indexOf = () => -1; String.prototype.slice = () => "evil"; String.prototype.toLowerCase = () => "evil";
      JSON.stringify = () => "evil"; JSON.parse = () => ({}); Promise.prototype.then = function () { throw new Error("then"); };
      Uint8Array.prototype.slice = () => new Uint8Array(0); Object.defineProperty(Uint8Array.prototype, "buffer", { get: () => new ArrayBuffer(0) });
      Object.prototype.status = 500; Object.prototype.headers = [["evil", "1"]];
      return r; })`);
    expect(res.status).toBe(202);
    expect(res.headers).toEqual([["a", "1"], ["content-type", "text/plain;charset=UTF-8"]]);
    expect(text(res)).toBe("body");
  });
  test("after tampering, later requests and responses still marshal correctly", async () => {
    sb.run(`String.prototype.toLowerCase = () => "evil"; Array.prototype.push = null; JSON.parse = null; Reflect.apply = null;
      Function.prototype.call = null; Function.prototype.bind = null; Object.freeze = null; Uint8Array.prototype.set = null;`).catch(() => {});
    const res = await invoke(`(async (req) => new Response(req.method + " " + req.headers.get("X-A") + " " + new URL(req.url).pathname + " " + await req.text()))`,
      { method: "POST", url: "https://x/path", headers: [["X-A", "ok"]], body: enc.encode("payload") });
    expect(text(res)).toBe("POST ok /path payload");
  });
  test("intrinsics tampered with before any lazy module loads do not reach the platform's path", async () => {
    // (The array iterator stays intact here: the script's own headers array is iterated, as the standard says.)
    const res = await invoke(`(async (req) => {
      Array.prototype.push = () => { throw new Error("push"); };
      String.prototype.indexOf = () => -1; String.prototype.slice = () => "evil"; String.prototype.toLowerCase = () => "evil";
      String.prototype.split = () => ["evil"]; JSON.parse = () => ({}); JSON.stringify = () => "evil";
      Object.defineProperty = () => { throw new Error("defineProperty"); }; Object.freeze = (o) => o; Object.keys = () => [];
      Reflect.apply = () => { throw new Error("apply"); }; Promise.prototype.then = function () { throw new Error("then"); };
      globalThis.Uint8Array = function () { throw new Error("Uint8Array"); }; globalThis.TypeError = Error;
      const body = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode("streamed ")); c.enqueue(new TextEncoder().encode(req.method)); c.close(); } });
      return new Response(body, { status: 207, headers: [["X-A", "1"], ["Set-Cookie", "a=1"], ["Set-Cookie", "b=2"]] });
    })`, { method: "PUT", url: "https://x/", headers: [], body: null });
    expect(res.status).toBe(207);
    expect(res.headers).toEqual([["x-a", "1"], ["set-cookie", "a=1"], ["set-cookie", "b=2"]]);
    expect(text(res)).toBe("streamed PUT");
  });
  test("the bridge's helpers are not reachable from globals", async () => {
    expect(await sb.run(`return Object.getOwnPropertyNames(globalThis).filter((k) => /picloud|__|^H$|bridge/i.test(k));`)).toEqual([]);
  });
});
