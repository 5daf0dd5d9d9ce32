// Contract between the sandbox (worker/sandbox.ts) and the Web API shims (DESIGN §3).
// The shims are thin JS inside QuickJS backed by the worker's native
// implementations (Bun's URL, TextEncoder, crypto…). Security never relies on them.
import type { QuickJSContext } from "quickjs-emscripten-core";

/** A request or response crossing the sandbox boundary as plain data. */
export interface WireRequest {
  method: string;
  url: string;
  headers: [string, string][];
  body: Uint8Array | null;
}
export interface WireResponse {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: Uint8Array | null;
  url?: string;
  redirected?: boolean;
}

/** What the shims need from their host (the worker). */
export interface ShimHost {
  /** Outbound fetch: an RPC to the main thread, which applies the SSRF guard and caps. */
  fetch(request: WireRequest): Promise<WireResponse>;
}

/**
 * Handles the sandbox keeps to marshal requests in and responses out. They are
 * captured before user code runs, so a script that overwrites `Request` or
 * `Response` cannot change how the platform reads its answer.
 */
export interface ShimBridge {
  /** wire → a sandbox `Request`. */
  toRequest(wire: WireRequest): import("quickjs-emscripten-core").QuickJSHandle;
  /** A sandbox value returned by a handler → a promise of its wire form (rejects if it is not a Response). */
  fromResponse(value: import("quickjs-emscripten-core").QuickJSHandle): Promise<WireResponse>;
  dispose(): void;
}

export type InstallShims = (ctx: QuickJSContext, host: ShimHost) => ShimBridge;
