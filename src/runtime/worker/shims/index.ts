// Contract between the sandbox (worker/sandbox.ts) and the Web API shims (DESIGN §3).
// The shims are thin JS inside QuickJS backed by the worker's native
// implementations (Bun's URL, TextEncoder, crypto…). Security never relies on them.
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";
import { createHostOps, toHostError, type OpsState } from "./host-ops.ts";

export { ResponseTooLargeError } from "./host-ops.ts";
import BOOTSTRAP from "./js/bootstrap.qjs" with { type: "text" };

/** A request or response crossing the sandbox boundary as plain data. */
export interface WireRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body: Uint8Array | null;
  /** Outbound fetch only: the script's `redirect` mode (absent means "follow"). */
  redirect?: "follow" | "manual" | "error";
}
export interface WireResponse {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: Uint8Array | null;
  url?: string;
  redirected?: boolean;
  /** fromResponse in streaming mode, for a ReadableStream body: `body` is null and the chunks come from here. */
  stream?: WireStream;
  /** Set by the shims' emit for a streamed body; fromResponse replaces it with `stream`. */
  streamed?: boolean;
}

/** A handler's ReadableStream body, read one chunk at a time inside the sandbox. */
export interface WireStream {
  /**
   * Reads the next chunk inside QuickJS; it settles once the script enqueues (as the event
   * loop and timers run). null at the end; rejects with the script's error.
   */
  pull(): Promise<Uint8Array | null>;
  /** Cancels the script's stream (client gone, limit hit). */
  cancel(): void;
}

/** What the shims need from their host (the worker). */
export interface ShimHost {
  /** Outbound fetch: an RPC to the main thread, which applies the SSRF guard and caps. */
  fetch(request: WireRequest): Promise<WireResponse>;
  /**
   * Runs the sandbox's pending jobs after the shims settle a sandbox promise from the host
   * (a fetch answer) or start reading a response. Optional: without it the shims call
   * `ctx.runtime.executePendingJobs()` themselves; a runtime that accounts CPU per
   * invocation passes its own pump so those jobs run inside its accounting.
   */
  pump?(): void;
}

/**
 * Handles the sandbox keeps to marshal requests in and responses out. They are
 * captured before user code runs, so a script that overwrites `Request` or
 * `Response` cannot change how the platform reads its answer.
 */
export interface ShimBridge {
  /** wire → a sandbox `Request`. */
  toRequest(wire: WireRequest): import("quickjs-emscripten-core").QuickJSHandle;
  /**
   * A sandbox value returned by a handler → a promise of its wire form (rejects if it is not a Response).
   * Rejections: a TypeError for a value that is not a Response ("handler must return a Response, got …"),
   * else an Error carrying the script's thrown name, message and sandbox stack.
   * It pumps pending jobs once; a body fed by timers settles as the event loop runs them.
   */
  fromResponse(value: import("quickjs-emscripten-core").QuickJSHandle, options?: FromResponseOptions): Promise<WireResponse>;
  dispose(): void;
}

export interface FromResponseOptions {
  /**
   * Cap on the body in bytes (Limits.responseBodyBytes). Past it the promise rejects with a
   * ResponseTooLargeError (code "response_too_large"); a stream body is cancelled as soon as it passes.
   */
  maxBodyBytes?: number;
  /** A ReadableStream body is not drained: the answer carries `stream` instead (the caller counts the bytes). */
  stream?: boolean;
}

export type InstallShims = (ctx: QuickJSContext, host: ShimHost) => ShimBridge;

export const installShims: InstallShims = (ctx, host) => {
  const state: OpsState = {
    alive: true,
    pending: new Map(),
    deferreds: new Set(),
    pulls: new Map(),
    // Team rule: after settling a sandbox promise from the host, run its jobs.
    pump() {
      if (!state.alive) return;
      if (host.pump) host.pump();
      else if (ctx.runtime.hasPendingJob()) ctx.runtime.executePendingJobs().dispose();
    },
  };
  const ops = createHostOps(ctx, host, state);
  const dispatch = ctx.newFunction("", (op: QuickJSHandle, ...args: QuickJSHandle[]) => {
    try {
      return ops(ctx.getNumber(op), args);
    } catch {
      // Expected failures come back as undefined and become Web errors in the
      // sandbox; anything else is reported without host details (paths, internals).
      throw new TypeError("internal error in a platform API");
    }
  });
  const boot = ctx.unwrapResult(ctx.evalCode(BOOTSTRAP, "picloud:shims.js"));
  const bridgeResult = ctx.callFunction(boot, ctx.undefined, dispatch, ctx.global);
  boot.dispose();
  dispatch.dispose();
  const bridge = ctx.unwrapResult(bridgeResult);
  const toRequestFn = ctx.getProp(bridge, "toRequest");
  const fromResponseFn = ctx.getProp(bridge, "fromResponse");
  const pullFn = ctx.getProp(bridge, "pull");
  const cancelFn = ctx.getProp(bridge, "cancelStream");
  bridge.dispose();
  let nextId = 1;

  return {
    toRequest(wire) {
      let head = `${wire.method}\n${wire.url}`;
      // "\n" separates fields; HTTP forbids it in names and values, and a value that
      // carries one anyway must not split into a forged header.
      for (const [k, v] of wire.headers) head += `\n${k.toLowerCase()}\n${v.includes("\n") ? v.replace(/[\r\n]/g, " ") : v}`;
      const headH = ctx.newString(head);
      const bodyH = wire.body ? ctx.newArrayBuffer(wire.body as unknown as ArrayBuffer) : ctx.undefined;
      const r = ctx.callFunction(toRequestFn, ctx.undefined, headH, bodyH);
      headH.dispose();
      bodyH.dispose();
      return ctx.unwrapResult(r);
    },
    fromResponse(value, options) {
      const id = nextId++;
      const maxBytes = options?.maxBodyBytes ?? -1;
      const callWith = (fn: QuickJSHandle) => {
        if (!state.alive) return;
        const idH = ctx.newNumber(id);
        const r = ctx.callFunction(fn, ctx.undefined, idH);
        idH.dispose();
        if (r.error) r.error.dispose();
        else r.value.dispose();
      };
      const stream: WireStream = {
        pull: () =>
          new Promise<Uint8Array | null>((resolve, reject) => {
            if (!state.alive) return reject(new Error("sandbox disposed"));
            state.pulls.set(id, { resolve, reject });
            callWith(pullFn);
            if (state.pulls.has(id)) state.pump();
          }),
        cancel: () => {
          const w = state.pulls.get(id);
          state.pulls.delete(id);
          callWith(cancelFn);
          state.pump();
          w?.resolve(null);
        },
      };
      return new Promise<WireResponse>((resolve0, reject) => {
        const resolve = (res: WireResponse) => {
          if (!res.streamed) return resolve0(res);
          delete res.streamed;
          resolve0({ ...res, stream });
        };
        state.pending.set(id, { resolve, reject, maxBytes });
        const idH = ctx.newNumber(id);
        const maxH = ctx.newNumber(maxBytes);
        const r = ctx.callFunction(fromResponseFn, ctx.undefined, value, idH, maxH, options?.stream ? ctx.true : ctx.false);
        idH.dispose();
        maxH.dispose();
        if (r.error) {
          state.pending.delete(id);
          reject(toHostError(ctx.dump(r.error)));
          r.error.dispose();
          return;
        }
        r.value.dispose();
        if (state.pending.has(id)) state.pump();
      });
    },
    dispose() {
      if (!state.alive) return;
      state.alive = false;
      toRequestFn.dispose();
      fromResponseFn.dispose();
      pullFn.dispose();
      cancelFn.dispose();
      for (const w of state.pulls.values()) w.reject(new Error("sandbox disposed"));
      state.pulls.clear();
      for (const d of state.deferreds) d.dispose();
      state.deferreds.clear();
      for (const p of state.pending.values()) p.reject(new Error("sandbox disposed"));
      state.pending.clear();
    },
  };
};
