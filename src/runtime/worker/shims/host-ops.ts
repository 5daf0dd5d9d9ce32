// The host half of the shims: each op is a small native call the sandbox's JS
// reaches through one dispatcher function (H). Only plain values cross: strings,
// numbers and ArrayBuffer copies. No host object is ever handed to the sandbox.
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, pbkdf2Sync } from "node:crypto";
import type { QuickJSContext, QuickJSDeferredPromise, QuickJSHandle } from "quickjs-emscripten-core";
import { MODULES } from "./modules.ts";
import { parseMultipart } from "./multipart.ts";
import type { ShimHost, WireRequest, WireResponse } from "./index.ts";
import { createPatternOps } from "./url-pattern-host.ts";

/** Op numbers; bootstrap.qjs and the lazy modules use the same literals. */
export const OP = {
  lazy: 0, urlParse: 1, urlSet: 2, encode: 3, decode: 4, atob: 5, btoa: 6, random: 7, uuid: 8, now: 9,
  qsParse: 10, qsSerialize: 11, emit: 12, fail: 13, fetch: 14, digest: 15, hmac: 16, aesGcm: 17,
  multipart: 18, label: 19, pattern: 20, pbkdf2: 21, hkdf: 22, chunk: 23, chunkEnd: 24,
} as const;

export interface Pending {
  resolve(res: WireResponse): void;
  reject(err: Error): void;
  /** Body cap in bytes, -1 for none. */
  maxBytes: number;
}

/** fromResponse's rejection when the body passes `maxBodyBytes` (DESIGN §4: 502 response_too_large). */
export class ResponseTooLargeError extends Error {
  override name = "ResponseTooLargeError";
  readonly code = "response_too_large";
  constructor(readonly limit: number) {
    super(`response body exceeds ${limit} bytes`);
  }
}

export interface OpsState {
  alive: boolean;
  /** fromResponse calls waiting for the sandbox to emit (by id). */
  pending: Map<number, Pending>;
  /** Outbound fetches in flight, disposed with the bridge. */
  deferreds: Set<QuickJSDeferredPromise>;
  /** Streamed response bodies waiting for their next chunk (by fromResponse id). */
  pulls: Map<number, { resolve(chunk: Uint8Array | null): void; reject(err: Error): void }>;
  pump(): void;
}

/**
 * Host work a script can ask for runs outside the sandbox's CPU and memory
 * limits, so its size is capped here: random bytes and derived keys at 64 KiB,
 * PBKDF2 at 10 million iterations (seconds of CPU, not minutes).
 */
const MAX_RANDOM_BYTES = 65_536;
const MAX_DERIVED_BYTES = 65_536;
const MAX_PBKDF2_ITERATIONS = 10_000_000;

const HASHES: Record<string, string> = { "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };

/** A script's thrown value, carried to the host as a plain Error (name, message, sandbox stack). */
export function toHostError(dumped: unknown): Error {
  if (dumped && typeof dumped === "object" && "message" in dumped) {
    const d = dumped as { name?: unknown; message?: unknown; stack?: unknown };
    const e = new Error(String(d.message));
    e.name = typeof d.name === "string" ? d.name : "Error";
    e.stack = `${e.name}: ${e.message}\n${typeof d.stack === "string" ? d.stack : ""}`;
    return e;
  }
  let text: string;
  try { text = typeof dumped === "string" ? dumped : JSON.stringify(dumped) ?? String(dumped); } catch { text = String(dumped); }
  const e = new Error(`Uncaught ${text}`);
  e.name = "Error";
  return e;
}

/** A wire field for a "\n"-separated head: a stray newline must not split into a forged field. */
const field = (v: string) => (v.includes("\n") || v.includes("\r") || v.includes("\0") ? v.replace(/[\r\n\0]/g, " ") : v);

export function createHostOps(ctx: QuickJSContext, host: ShimHost, state: OpsState) {
  const encoder = new TextEncoder();
  const decoders = new Map<string, TextDecoder>();
  const t0 = performance.now();
  const patterns = createPatternOps();

  const str = (h: QuickJSHandle | undefined) => (h === undefined ? "" : ctx.getString(h));
  const num = (h: QuickJSHandle | undefined) => (h === undefined ? 0 : ctx.getNumber(h));
  const isUndef = (h: QuickJSHandle | undefined) => h === undefined || ctx.typeof(h) === "undefined";
  /** Copies a sandbox ArrayBuffer out of the WASM heap (the view dies with the lifetime). */
  const bytes = (h: QuickJSHandle | undefined): Uint8Array => {
    if (isUndef(h)) return new Uint8Array(0);
    try {
      const lt = ctx.getArrayBuffer(h!);
      const copy = lt.value.slice();
      lt.dispose();
      return copy;
    } catch {
      return new Uint8Array(0); // a zero-length buffer has no heap pointer
    }
  };
  const buffer = (u8: Uint8Array) => ctx.newArrayBuffer(u8 as unknown as ArrayBuffer);
  const json = (v: unknown) => ctx.newString(JSON.stringify(v));
  /** A string for the sandbox; one holding a NUL (a C string would end there) goes JSON-wrapped in an array. */
  const text = (s: string) => {
    if (!s.includes("\0")) return ctx.newString(s);
    const arr = ctx.newArray();
    const j = ctx.newString(JSON.stringify(s));
    ctx.setProp(arr, 0, j);
    j.dispose();
    return arr;
  };
  const urlParts = (u: URL) =>
    json([u.href, u.origin, u.protocol, u.username, u.password, u.host, u.hostname, u.port, u.pathname, u.search, u.hash]);

  const decode = (h: QuickJSHandle, off: number, len: number, label: string, fatal: boolean, ignoreBOM: boolean) => {
    const key = `${label}|${fatal}|${ignoreBOM}`;
    let d = decoders.get(key);
    if (!d) decoders.set(key, (d = new TextDecoder(label, { fatal, ignoreBOM })));
    if (len === 0) return ctx.newString("");
    const lt = ctx.getArrayBuffer(h);
    try {
      return text(d.decode(lt.value.subarray(off, off + len)));
    } catch {
      return undefined;
    } finally {
      lt.dispose();
    }
  };

  const startFetch = (head: string, body: Uint8Array | null) => {
    const f = head.split("\n");
    const headers: [string, string][] = [];
    for (let i = 3; i + 1 < f.length; i += 2) headers.push([f[i]!, f[i + 1]!]);
    const req: WireRequest = { method: f[0]!, url: f[1]!, headers, body, redirect: f[2] as WireRequest["redirect"] };
    const deferred = ctx.newPromise();
    state.deferreds.add(deferred);
    const settle = (fn: () => void) => {
      if (!state.alive || !deferred.alive) return;
      fn();
      state.deferreds.delete(deferred);
      deferred.dispose();
      state.pump();
    };
    let call: Promise<WireResponse>;
    try { call = host.fetch(req); } catch (e) { call = Promise.reject(e); }
    call.then(
      (res) => settle(() => {
        let h = `${res.status}\n${field(res.statusText)}\n${field(res.url ?? req.url)}\n${res.redirected ? 1 : 0}`;
        for (const [k, v] of res.headers) h += `\n${field(k.toLowerCase())}\n${field(v)}`;
        const arr = ctx.newArray();
        const headH = ctx.newString(h);
        ctx.setProp(arr, 0, headH);
        headH.dispose();
        if (res.body && res.body.byteLength > 0) {
          const b = buffer(res.body);
          ctx.setProp(arr, 1, b);
          b.dispose();
        }
        deferred.resolve(arr);
        arr.dispose();
      }),
      (err) => settle(() => {
        const e = ctx.newError({ name: "TypeError", message: `fetch failed: ${err instanceof Error ? err.message : String(err)}` });
        deferred.reject(e);
        e.dispose();
      }),
    );
    return deferred.handle;
  };

  const emit = (id: number, headH: QuickJSHandle, bodyH: QuickJSHandle | undefined) => {
    const p = state.pending.get(id);
    if (!p) return;
    state.pending.delete(id);
    const f = ctx.getString(headH).split("\n");
    const headers: [string, string][] = [];
    for (let i = 2; i + 1 < f.length; i += 2) headers.push([f[i]!, f[i + 1]!]);
    let body: Uint8Array | null = null;
    if (!isUndef(bodyH) && ctx.typeof(bodyH!) === "boolean") {
      // Streaming mode: the body follows through pull (OP.chunk / OP.chunkEnd).
      p.resolve({ status: Number(f[0]), statusText: f[1] ?? "", headers, body: null, streamed: true });
      return;
    }
    if (!isUndef(bodyH)) body = ctx.typeof(bodyH!) === "string" ? encoder.encode(ctx.getString(bodyH!)) : bytes(bodyH);
    if (body && p.maxBytes >= 0 && body.byteLength > p.maxBytes) return p.reject(new ResponseTooLargeError(p.maxBytes));
    p.resolve({ status: Number(f[0]), statusText: f[1] ?? "", headers, body });
  };

  /** kind: 0 the script threw this value, 1 a TypeError message from the shims, 2 the body cap was passed. */
  const fail = (id: number, errH: QuickJSHandle, kind: number) => {
    const p = state.pending.get(id);
    if (!p) return;
    state.pending.delete(id);
    p.reject(kind === 2 ? new ResponseTooLargeError(p.maxBytes) : kind === 1 ? new TypeError(ctx.getString(errH)) : toHostError(ctx.dump(errH)));
  };

  const aesGcm = (encrypt: boolean, key: Uint8Array, iv: Uint8Array, data: Uint8Array, aad: Uint8Array | null, tagBits: number) => {
    const alg = `aes-${key.byteLength * 8}-gcm` as "aes-256-gcm";
    const tagLen = tagBits / 8;
    try {
      if (encrypt) {
        const c = createCipheriv(alg, key, iv, { authTagLength: tagLen });
        if (aad) c.setAAD(aad);
        return buffer(Buffer.concat([c.update(data), c.final(), c.getAuthTag()]));
      }
      if (data.byteLength < tagLen) return undefined;
      const d = createDecipheriv(alg, key, iv, { authTagLength: tagLen });
      if (aad) d.setAAD(aad);
      d.setAuthTag(data.subarray(data.byteLength - tagLen));
      return buffer(Buffer.concat([d.update(data.subarray(0, data.byteLength - tagLen)), d.final()]));
    } catch {
      return undefined;
    }
  };

  /** The dispatcher: (op, ...args) → a new handle, or undefined. Invalid input yields undefined; the JS side throws the Web error. */
  return (op: number, a: QuickJSHandle[]): QuickJSHandle | undefined => {
    switch (op) {
      case OP.lazy: {
        const src = MODULES[str(a[0])];
        if (src === undefined) throw new Error(`unknown shim module ${str(a[0])}`);
        return ctx.newString(src);
      }
      case OP.urlParse: {
        const u = URL.parse(str(a[0]), isUndef(a[1]) ? undefined : str(a[1]));
        return u ? urlParts(u) : undefined;
      }
      case OP.urlSet: {
        const field = str(a[1]), value = str(a[2]);
        let u: URL | null = new URL(str(a[0]));
        if (field === "href") u = URL.parse(value);
        else (u as unknown as Record<string, string>)[field] = value;
        return u ? urlParts(u) : undefined;
      }
      case OP.encode: {
        const out = encoder.encode(str(a[0]));
        return buffer(out);
      }
      case OP.decode:
        return decode(a[0]!, num(a[1]), num(a[2]), str(a[3]), num(a[4]) !== 0, num(a[5]) !== 0);
      case OP.atob:
        try { return buffer(Buffer.from(atob(str(a[0])), "latin1")); } catch { return undefined; }
      case OP.btoa:
        return ctx.newString(Buffer.from(bytes(a[0])).toString("base64"));
      case OP.random: {
        const n = num(a[0]);
        if (!(n >= 0 && n <= MAX_RANDOM_BYTES)) return undefined;
        return buffer(crypto.getRandomValues(new Uint8Array(n)));
      }
      case OP.uuid:
        return ctx.newString(crypto.randomUUID());
      case OP.now:
        return ctx.newNumber(num(a[0]) === 1 ? performance.timeOrigin + t0 : performance.now() - t0);
      case OP.qsParse: {
        const out: string[] = [];
        for (const [k, v] of new URLSearchParams(str(a[0]))) out.push(k, v);
        return json(out);
      }
      case OP.qsSerialize: {
        const flat = JSON.parse(str(a[0])) as string[];
        const p = new URLSearchParams();
        for (let i = 0; i + 1 < flat.length; i += 2) p.append(flat[i]!, flat[i + 1]!);
        return ctx.newString(p.toString());
      }
      case OP.emit:
        emit(num(a[0]), a[1]!, a[2]);
        return undefined;
      case OP.fail:
        fail(num(a[0]), a[1]!, num(a[2]));
        return undefined;
      case OP.chunk: {
        const id = num(a[0]);
        const w = state.pulls.get(id);
        if (w) {
          state.pulls.delete(id);
          w.resolve(bytes(a[1]));
        }
        return undefined;
      }
      case OP.chunkEnd: {
        const id = num(a[0]);
        const w = state.pulls.get(id);
        if (w) {
          state.pulls.delete(id);
          if (isUndef(a[1])) w.resolve(null);
          else w.reject(toHostError(ctx.dump(a[1]!)));
        }
        return undefined;
      }
      case OP.fetch:
        return startFetch(str(a[0]), isUndef(a[1]) ? null : bytes(a[1]));
      case OP.digest: {
        const alg = HASHES[str(a[0])];
        return alg ? buffer(createHash(alg).update(bytes(a[1])).digest()) : undefined;
      }
      case OP.hmac: {
        const alg = HASHES[str(a[0])];
        return alg ? buffer(createHmac(alg, bytes(a[1])).update(bytes(a[2])).digest()) : undefined;
      }
      case OP.aesGcm:
        return aesGcm(num(a[0]) !== 0, bytes(a[1]), bytes(a[2]), bytes(a[3]), isUndef(a[4]) ? null : bytes(a[4]), num(a[5]));
      case OP.multipart: {
        const parts = parseMultipart(bytes(a[0]), str(a[1]));
        return parts ? json(parts) : undefined;
      }
      case OP.label:
        try { return ctx.newString(new TextDecoder(str(a[0])).encoding); } catch { return undefined; }
      case OP.pattern:
        return patterns(ctx, str(a[0]), str(a[1]));
      case OP.pbkdf2:
      case OP.hkdf:
        return deriveBits(op, a);
      default:
        throw new Error(`unknown shim op ${op}`);
    }
  };

  function deriveBits(op: number, a: QuickJSHandle[]) {
    const hash = HASHES[str(a[0])];
    if (!hash) return undefined;
    const lengthBytes = num(a[4]) / 8;
    if (!(lengthBytes > 0 && lengthBytes <= MAX_DERIVED_BYTES && Number.isInteger(lengthBytes))) return undefined;
    try {
      if (op === OP.pbkdf2) {
        const iterations = num(a[3]);
        if (!(iterations >= 1 && iterations <= MAX_PBKDF2_ITERATIONS)) return undefined;
        return buffer(pbkdf2Sync(bytes(a[1]), bytes(a[2]), iterations, lengthBytes, hash));
      }
      return buffer(new Uint8Array(hkdfSync(hash, bytes(a[1]), bytes(a[2]), bytes(a[3]), lengthBytes)));
    } catch {
      return undefined;
    }
  }
}
