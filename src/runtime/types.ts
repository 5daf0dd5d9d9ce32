// The seam between the runtime and the rest of PiCloud (issue #2 ↔ #3):
//   compile(source) at save time, invoke(script, input, ctx) per request or event.
// No HTTP server and no SQL live behind this seam; the platform hands in
// everything a script needs and receives plain values back.
import type { ErrorCode } from "../errors.ts";

/** Per-script limits (DESIGN §4). Each has an operator ceiling in Config. */
export interface Limits {
  /** Wall-clock budget of one invocation → 504 when exceeded. */
  timeoutMs: number;
  /** CPU time the sandbox may spend in one invocation (interrupt handler) → 507. */
  cpuMs: number;
  /** QuickJS heap limit → 507 when exhausted. */
  memoryMb: number;
  /** QuickJS stack size; deep recursion past it is a script error (RangeError) → 502. */
  stackKb: number;
  /** Request body accepted by the data plane → 413 beyond. */
  requestBodyBytes: number;
  /** Response body a script may return → 502 (response_too_large) beyond. */
  responseBodyBytes: number;
  /** Console output kept per invocation; the rest is dropped with one truncation marker. */
  consoleBytes: number;
  /** Outbound fetches in flight at once per invocation; more wait their turn. */
  concurrentFetches: number;
}

export interface RuntimeConfig {
  workers: number;
  maxConcurrentExecutions: number;
  variant: "quickjs" | "quickjs-ng";
  warmBudgetMb: number;
  allowPrivateFetch: boolean;
  maxFetchResponseBytes: number;
  defaults: Limits;
  ceilings: Limits;
}

/** What the runtime needs to run one script version. `code` is the compiled JS (ES module). */
export interface ScriptSpec {
  id: string;
  version: number;
  name: string;
  app: { id: string; slug: string };
  code: string;
  /** The script's own limits; missing keys fall back to RuntimeConfig.defaults, all clamped to the ceilings. */
  limits?: Partial<Limits>;
}

/** A request as plain data, built by the data plane from the socket. */
export interface HttpInput {
  kind: "http";
  method: string;
  /** Full URL including scheme and host, as the client asked for it. */
  url: string;
  headers: [string, string][];
  /** Already limited to `requestBodyBytes` by the data plane. */
  body: Uint8Array | null;
}

export interface EventInput {
  kind: "event";
  event: unknown;
}

export type InvokeInput = HttpInput | EventInput;

/** Who is calling, when a valid bearer token or session cookie came with the request. */
export interface PrincipalInfo {
  kind: "user" | "api_key";
  user_id: string;
  username: string;
  instance_role: "owner" | "admin" | "member";
}

/** Invocation facts that become `ctx` inside the script (DESIGN §3). */
export interface InvocationContext {
  executionId: string;
  requestId: string;
  rootExecutionId: string;
  triggerDepth: number;
  params: Record<string, string>;
  rest: string | null;
  query: Record<string, string>;
  principal: PrincipalInfo | null;
  event?: unknown;
  /**
   * The client's socket address (HTTP only), from the server socket — never from
   * X-Forwarded-For. Becomes Deno.serve's `info.remoteAddr` and `ctx.remoteAddr`.
   */
  remoteAddr?: { hostname: string; port: number };
}

export interface ConsoleLine {
  level: "log" | "info" | "warn" | "error" | "debug";
  /** Unix epoch milliseconds. */
  ts: number;
  message: string;
}

export interface InvokeStats {
  durationMs: number;
  cpuMs: number;
  console: ConsoleLine[];
  /** True when console output was cut at `consoleBytes`. */
  consoleTruncated: boolean;
  /** True when a fresh QuickJS runtime had to be created for this call. */
  cold: boolean;
}

export interface InvokeSuccess extends InvokeStats {
  ok: true;
  status: number;
  headers: [string, string][];
  /** The whole body; empty when `bodyStream` is set. */
  body: Uint8Array;
  /**
   * Set when the handler's body is a ReadableStream: the head is final, the bytes arrive
   * here as the script enqueues them. Cancelling it cancels the script's stream.
   */
  bodyStream?: ReadableStream<Uint8Array>;
  /** With `bodyStream`: settles (never rejects) when the stream ends; the invocation's final facts. */
  streamEnd?: Promise<StreamEnd>;
}

/** How a streamed body ended. A failure after the head cannot change the status: the stream errors instead. */
export type StreamEnd = Omit<InvokeStats, "cold"> & { size: number } & (
  | { ok: true; /** The client went away before the end. */ cancelled: boolean }
  | { ok: false; code: ErrorCode; message: string; stack?: string }
);

export interface InvokeFailure extends InvokeStats {
  ok: false;
  /** script_error (502), timeout (504), budget_exceeded (507), gate_full (503), internal (500). */
  code: ErrorCode;
  message: string;
  /** Script stack trace; shown only to authorized callers. */
  stack?: string;
}

export type InvokeResult = InvokeSuccess | InvokeFailure;

export interface CompileError {
  message: string;
  line: number;
  column: number;
}

export type CompileResult =
  | {
      ok: true;
      /** Plain JavaScript (ES module) the sandbox evaluates. */
      code: string;
      /** Static import specifiers, in source order, after rejecting remote ones. */
      imports: string[];
      /** Which handler forms the module uses, detected at compile time. */
      handlers: { fetch: boolean; event: boolean; denoServe: boolean; denoCron: boolean };
    }
  | { ok: false; errors: CompileError[] };

/**
 * Resolves `import "./lib.ts"` between scripts of one app. The platform
 * provides it (modules land in wave 2); the runtime asks for code by
 * specifier and never reads storage itself.
 */
export interface ModuleResolver {
  resolve(appId: string, specifier: string, referrer: string): Promise<{ name: string; code: string } | null>;
}

/** A script's call out of the sandbox (`fetch`, later the `picloud` SDK), carried as a message to the main thread. */
export interface RpcCall {
  method: string;
  args: unknown[];
}

/** Identity of the invocation an RPC call belongs to: taken from the runtime, never from the script. */
export interface RpcCaller {
  appId: string;
  scriptId: string;
  executionId: string;
  principal: PrincipalInfo | null;
}

/** Main-thread handler for SDK calls. Values must survive structuredClone. */
export type RpcHandler = (call: RpcCall, caller: RpcCaller) => Promise<unknown>;

export interface RuntimeStats {
  workers: number;
  inFlight: number;
  warmRuntimes: number;
  restarts: number;
}

export interface Runtime {
  compile(source: string, opts?: { filename?: string; kind?: "endpoint" | "module" }): Promise<CompileResult>;
  invoke(script: ScriptSpec, input: InvokeInput, ctx: InvocationContext): Promise<InvokeResult>;
  /** Resolve a script's effective limits (defaults ⊓ ceilings). */
  effectiveLimits(limits?: Partial<Limits>): Limits;
  stats(): RuntimeStats;
  close(): Promise<void>;
}
