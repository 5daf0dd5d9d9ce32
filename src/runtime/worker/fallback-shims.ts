// Minimal Request/Response/Headers so the runtime core runs end to end before
// the webapi branch's real shims (src/runtime/worker/shims/) are merged.
// Text bodies only, no streams, no URL/crypto: NOT the Web API layer of DESIGN §3.
// worker/main.ts switches to the real `installShims` once it exists.
import type { QuickJSHandle } from "quickjs-emscripten-core";
import type { InstallShims, WireResponse } from "./shims/index.ts";

const FALLBACK_JS = `(function () {
"use strict";
class Headers {
  #m = new Map();
  constructor(init) {
    if (init instanceof Headers) init = init.entries();
    else if (init && !Array.isArray(init) && typeof init[Symbol.iterator] !== "function") init = Object.entries(init);
    if (init) for (const [k, v] of init) this.append(k, v);
  }
  append(k, v) { k = String(k).toLowerCase(); const o = this.#m.get(k); this.#m.set(k, o === undefined ? String(v) : o + ", " + v); }
  set(k, v) { this.#m.set(String(k).toLowerCase(), String(v)); }
  get(k) { const v = this.#m.get(String(k).toLowerCase()); return v === undefined ? null : v; }
  has(k) { return this.#m.has(String(k).toLowerCase()); }
  delete(k) { this.#m.delete(String(k).toLowerCase()); }
  *entries() { yield* this.#m.entries(); }
  [Symbol.iterator]() { return this.entries(); }
}
const text = (b) => b == null ? "" : typeof b === "string" ? b : String(b);
class Request {
  constructor(url, init = {}) { this.url = String(url); this.method = init.method || "GET"; this.headers = new Headers(init.headers); this._body = init.body ?? null; }
  async text() { return text(this._body); }
  async json() { return JSON.parse(text(this._body)); }
}
class Response {
  constructor(body = null, init = {}) { this._body = body; this.status = init.status ?? 200; this.statusText = init.statusText ?? ""; this.headers = new Headers(init.headers); }
  get ok() { return this.status >= 200 && this.status < 300; }
  async text() { return text(this._body); }
  async json() { return JSON.parse(text(this._body)); }
  static json(data, init = {}) { const r = new Response(JSON.stringify(data), init); if (!r.headers.has("content-type")) r.headers.set("content-type", "application/json"); return r; }
}
for (const [n, v] of [["Headers", Headers], ["Request", Request], ["Response", Response]]) Object.defineProperty(globalThis, n, { value: v, writable: true, configurable: true });
return {
  toRequest: (method, url, headers, body) => new Request(url, { method, headers, body }),
  fromResponse(r) {
    if (!(r instanceof Response)) throw new TypeError("handler must return a Response, got " + (r === null ? "null" : typeof r));
    return [r.status, r.statusText, [...r.headers], text(r._body)];
  },
};
})()`;

export const installFallbackShims: InstallShims = (ctx) => {
  const api = ctx.unwrapResult(ctx.evalCode(FALLBACK_JS, "picloud:fallback-shims", { type: "global" }));
  const toRequest = ctx.getProp(api, "toRequest");
  const fromResponse = ctx.getProp(api, "fromResponse");
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  return {
    toRequest(wire) {
      const args = [
        ctx.newString(wire.method),
        ctx.newString(wire.url),
        ctx.unwrapResult(ctx.evalCode(JSON.stringify(wire.headers))),
        wire.body ? ctx.newString(decoder.decode(wire.body)) : ctx.null,
      ];
      const r = ctx.callFunction(toRequest, api, args);
      for (const a of args) a.dispose();
      return ctx.unwrapResult(r);
    },
    async fromResponse(value: QuickJSHandle): Promise<WireResponse> {
      const r = ctx.callFunction(fromResponse, api, value);
      if (r.error) {
        const e = ctx.dump(r.error) as { message?: string };
        r.error.dispose();
        throw new Error(e?.message ?? "invalid response");
      }
      const [status, statusText, headers, body] = ctx.dump(r.value) as [number, string, [string, string][], string];
      r.value.dispose();
      return { status, statusText, headers, body: encoder.encode(body) };
    },
    dispose() {
      toRequest.dispose();
      fromResponse.dispose();
      api.dispose();
    },
  };
};
