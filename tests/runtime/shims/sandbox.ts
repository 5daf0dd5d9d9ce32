// Test support: a real QuickJS context with the shims installed, and an
// outbound fetch host that talks to a real Bun.serve on 127.0.0.1 (loopback only).
import { afterAll, expect } from "bun:test";
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";
import { loadQuickJS, type QuickJSVariantName } from "../../../src/runtime/quickjs.ts";
import { installShims, type ShimBridge, type ShimHost, type WireRequest, type WireResponse } from "../../../src/runtime/worker/shims/index.ts";

export interface Sandbox {
  ctx: QuickJSContext;
  bridge: ShimBridge;
  /** Runs `body` as an async function in the sandbox; resolves to its (JSON-able) result. */
  run(body: string): Promise<unknown>;
  /** Runs `body` in the sandbox and natively in Bun; resolves to both results. */
  both(body: string): Promise<[unknown, unknown]>;
  /** Evaluates an expression to a handle the caller disposes. */
  evalHandle(code: string): QuickJSHandle;
  /** Pumps jobs and timers until `p` settles. */
  settle<T>(p: Promise<T>): Promise<T>;
  dispose(): void;
}

/** A host fetch over real HTTP (the SSRF guard is the edges engineer's; tests only reach loopback). */
export const loopbackFetch: ShimHost["fetch"] = async (req: WireRequest): Promise<WireResponse> => {
  const url = new URL(req.url);
  if (url.hostname !== "127.0.0.1") throw new Error("test host: loopback only");
  const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body as BodyInit | null, redirect: req.redirect ?? "follow" });
  const headers: [string, string][] = [];
  res.headers.forEach((v, k) => { if (k !== "set-cookie") headers.push([k, v]); });
  for (const c of res.headers.getSetCookie()) headers.push(["set-cookie", c]);
  const body = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, statusText: res.statusText, headers, body: body.byteLength ? body : null, url: res.url, redirected: res.redirected };
};

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (body: string) => () => Promise<unknown>;

export async function createSandbox(opts: { variant?: QuickJSVariantName; host?: ShimHost } = {}): Promise<Sandbox> {
  const module = await loadQuickJS(opts.variant);
  const ctx = module.newContext();
  const bridge = installShims(ctx, opts.host ?? { fetch: loopbackFetch });
  const pump = () => {
    if (ctx.runtime.hasPendingJob()) ctx.runtime.executePendingJobs().dispose();
  };
  const settle = async <T>(p: Promise<T>): Promise<T> => {
    let done = false;
    p.then(() => (done = true), () => (done = true));
    for (let i = 0; i < 2000 && !done; i++) {
      pump();
      await new Promise((r) => setTimeout(r, i < 20 ? 0 : 5));
    }
    return p;
  };
  const evalHandle = (code: string) => ctx.unwrapResult(ctx.evalCode(code, "test.js"));
  const run = async (body: string) => {
    const promise = evalHandle(`(async () => { ${body} })().then((v) => JSON.stringify(v === undefined ? null : v))`);
    const settled = await settle(ctx.resolvePromise(promise));
    promise.dispose();
    if (settled.error) {
      const e = ctx.dump(settled.error);
      settled.error.dispose();
      const err = new Error(`${e?.name ?? "Error"}: ${e?.message ?? String(e)}`);
      (err as { sandbox?: unknown }).sandbox = e;
      throw err;
    }
    const json = ctx.getString(settled.value);
    settled.value.dispose();
    return JSON.parse(json);
  };
  const both = async (body: string): Promise<[unknown, unknown]> => {
    const sandboxed = await run(body);
    const v = await new AsyncFunction(body)();
    return [sandboxed, JSON.parse(JSON.stringify(v === undefined ? null : v))];
  };
  return {
    ctx, bridge, run, both, evalHandle, settle,
    dispose() {
      bridge.dispose();
      ctx.dispose();
    },
  };
}

/**
 * The sandbox a whole test file shares (await it at the top of the file; it is
 * disposed after the file's tests), and `same(body)`: runs `body` in the
 * sandbox and in Bun, expects equal results and returns the sandbox's.
 */
export async function sandboxForFile(): Promise<{ sb: Sandbox; same(body: string): Promise<unknown> }> {
  const sb = await createSandbox();
  afterAll(() => sb.dispose());
  const same = async (body: string) => {
    const [inSandbox, inBun] = await sb.both(body);
    expect(inSandbox).toEqual(inBun);
    return inSandbox;
  };
  return { sb, same };
}

/** A loopback server for fetch tests. */
export function startEchoServer() {
  return Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      if (url.pathname === "/redirect") return Response.redirect(`${url.origin}/echo?from=redirect`, 302);
      if (url.pathname === "/cookies") {
        const h = new Headers({ "content-type": "text/plain" });
        h.append("set-cookie", "a=1; Path=/");
        h.append("set-cookie", "b=2; HttpOnly");
        return new Response("cookies", { headers: h });
      }
      if (url.pathname === "/slow") {
        await Bun.sleep(300);
        return new Response("slow");
      }
      const body = await req.text();
      return Response.json({ method: req.method, path: url.pathname, search: url.search, headers: Object.fromEntries(req.headers), body });
    },
  });
}
