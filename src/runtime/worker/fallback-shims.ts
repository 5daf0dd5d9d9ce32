// Minimal Request/Response/Headers so the runtime core runs end to end before
// the webapi branch's real shims (src/runtime/worker/shims/) are merged.
// Text bodies only, no streams, no URL/crypto: NOT the Web API layer of DESIGN §3.
// worker/main.ts switches to the real `installShims` once it exists.
import type { QuickJSHandle } from "quickjs-emscripten-core";
import type { InstallShims, WireResponse } from "./shims/index.ts";

const FALLBACK_JS = `(function (hostFetch) {
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
async function fetch(input, init = {}) {
  const req = input instanceof Request ? input : new Request(input, init);
  const [status, statusText, headers, body] = await hostFetch(req.method, req.url, [...req.headers], req._body == null ? null : text(req._body));
  return new Response(body, { status, statusText, headers });
}
for (const [n, v] of [["Headers", Headers], ["Request", Request], ["Response", Response], ["fetch", fetch]]) Object.defineProperty(globalThis, n, { value: v, writable: true, configurable: true });
return {
  toRequest: (method, url, headers, body) => new Request(url, { method, headers, body }),
  fromResponse(r) {
    if (!(r instanceof Response)) throw new TypeError("handler must return a Response, got " + (r === null ? "null" : typeof r));
    return [r.status, r.statusText, [...r.headers], text(r._body)];
  },
};
})`;

export const installFallbackShims: InstallShims = (ctx, host) => {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  // Settling a deferred from the host: pump right after (rule of shims/index.ts).
  const hostFetch = ctx.newFunction("hostFetch", (methodH, urlH, headersH, bodyH) => {
    const deferred = ctx.newPromise();
    const body = ctx.typeof(bodyH) === "string" ? encoder.encode(ctx.getString(bodyH)) : null;
    host
      .fetch({ method: ctx.getString(methodH), url: ctx.getString(urlH), headers: ctx.dump(headersH), body })
      .then(
        (res) => {
          if (!ctx.alive) return;
          const value = ctx.unwrapResult(
            ctx.evalCode(JSON.stringify([res.status, res.statusText, res.headers, res.body ? decoder.decode(res.body) : null])),
          );
          deferred.resolve(value);
          value.dispose();
        },
        (e: unknown) => {
          if (!ctx.alive) return;
          const err = ctx.newError({ name: "TypeError", message: `fetch failed: ${e instanceof Error ? e.message : String(e)}` });
          deferred.reject(err);
          err.dispose();
        },
      )
      .finally(() => {
        if (ctx.alive) ctx.runtime.executePendingJobs();
      });
    return deferred.handle;
  });
  const factory = ctx.unwrapResult(ctx.evalCode(FALLBACK_JS, "picloud:fallback-shims", { type: "global" }));
  const api = ctx.unwrapResult(ctx.callFunction(factory, ctx.undefined, hostFetch));
  factory.dispose();
  hostFetch.dispose();
  const toRequest = ctx.getProp(api, "toRequest");
  const fromResponse = ctx.getProp(api, "fromResponse");
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
