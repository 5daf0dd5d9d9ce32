// Messages between the pool (main thread) and a sandbox host (worker). Every
// postMessage carries an array of these so several invocations in flight share
// one message each way (DESIGN §2 hot-path budget).
import type { ConsoleLine, InvocationContext, InvokeInput, InvokeResult, Limits, StreamEnd } from "./types.ts";

/** Modules a script imports, resolved on the main thread before the first call of a version. */
export interface ModuleBundle {
  /** Module name → compiled code. */
  modules: Record<string, string>;
  /** Referrer name → (specifier → module name). */
  links: Record<string, Record<string, string>>;
}

/** The script facts a worker needs to build a sandbox; sent only when the worker lacks them. */
export interface ScriptPayload {
  name: string;
  code: string;
  bundle: ModuleBundle | null;
}

/** What becomes `ctx` inside the script, minus waitUntil: the invocation's facts plus who runs. */
export interface CtxWire extends InvocationContext {
  app: { id: string; slug: string };
  script: { id: string; name: string; version: number };
  sdkVersion: string;
}

export type ToWorker =
  | {
      t: "init";
      variant: "quickjs" | "quickjs-ng";
      warmBudgetMb: number;
      /** Past this WASM heap the worker asks to be replaced once idle. */
      recycleMb: number;
      /** Hard cap of the worker's WASM memory. */
      maxHeapMb: number;
    }
  | {
      t: "inv";
      id: number;
      /** Sandbox cache key: script id, version and module-bundle hash. */
      key: string;
      script?: ScriptPayload;
      limits: Limits;
      input: InvokeInput;
      /** CtxWire as JSON: one string clones faster than an object graph. */
      ctx: string;
    }
  | { t: "rpc_res"; cid: number; ok: true; value: unknown }
  | { t: "rpc_res"; cid: number; ok: false; message: string }
  | { t: "describe"; id: number; key: string; script: ScriptPayload; limits: Limits; ctx: string }
  /** Credit for `n` more chunks of a streamed body (backpressure). */
  | { t: "pull"; id: number; n: number }
  /** The client went away: cancel the streamed body in the sandbox. */
  | { t: "cancel"; id: number }
  /** Test hook: block the worker's thread, as a wedged host would. */
  | { t: "hang"; ms: number };

export interface ScriptDescription {
  fetch: boolean;
  event: boolean;
  denoServe: boolean;
  crons: { name: string; schedule: string }[];
}

export type FromWorker =
  | { t: "ready" }
  /** The invocation's answer; `ended` when nothing of it runs on (no waitUntil tail). */
  | { t: "res"; id: number; result: InvokeResult; ended: boolean; warm: number; /** The body follows as chunk messages. */ stream?: true }
  /** A chunk of a streamed body; the worker sends at most its credits ahead. */
  | { t: "chunk"; id: number; bytes: Uint8Array }
  /** A streamed body ended (the invocation may still run a waitUntil tail, ending with "end"). */
  | { t: "stream_end"; id: number; end: StreamEnd }
  /** The waitUntil tail of an invocation finished; its RPC identity may be dropped. `console`: lines written after the answer. */
  | { t: "end"; id: number; console: ConsoleLine[]; consoleTruncated: boolean }
  /** The worker no longer holds this script's code; send it again. */
  | { t: "missing"; id: number }
  | { t: "rpc"; id: number; cid: number; method: string; args: unknown[] }
  | { t: "described"; id: number; ok: true; description: ScriptDescription }
  | { t: "described"; id: number; ok: false; message: string }
  /** The WASM heap grew past its budget (it never shrinks): replace this worker once it is idle. */
  | { t: "recycle"; heapMb: number }
  /** The WASM instance itself faulted: the worker must be replaced. */
  | { t: "fatal"; message: string };
