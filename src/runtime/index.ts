// createRuntime: the seam of src/runtime/types.ts. invoke() = gate → limits →
// module graph → pool → worker sandbox, and back as a plain InvokeResult.
// No HTTP and no SQL behind this seam (STYLE §1).
import { PicloudError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { compileScript } from "./compile.ts";
import { createGuardedFetch } from "./fetch-guard.ts";
import { createGate } from "./gate.ts";
import { effectiveLimits } from "./limits.ts";
import { createModuleGraph } from "./modules.ts";
import { createPool } from "./pool.ts";
import type { CtxWire, ScriptDescription, ScriptPayload } from "./protocol.ts";
import { createRpcServer, type FetchFn } from "./rpc.ts";
import { failure } from "./failure.ts";
import type {
  CompileResult,
  ConsoleLine,
  InvocationContext,
  InvokeFailure,
  InvokeInput,
  InvokeResult,
  Limits,
  ModuleResolver,
  Runtime,
  RuntimeConfig,
  RpcHandler,
  ScriptSpec,
} from "./types.ts";

/** Version of the in-script platform surface, exposed as `ctx.sdkVersion`. */
export const SDK_VERSION = "1";

export interface RuntimeOptions {
  log: Logger;
  rpc?: RpcHandler;
  resolver?: ModuleResolver;
  /** Outbound fetch served on the main thread; default: the SSRF-guarded fetch of fetch-guard.ts. */
  fetch?: FetchFn;
  /** Save-time compile step; default: compileScript of compile.ts with the configured variant. */
  compile?: (source: string, opts?: { filename?: string }) => Promise<CompileResult>;
  /** Time past an invocation's timeout before its worker is presumed hung (default 2000 ms). */
  graceMs?: number;
  /**
   * Console lines a `ctx.waitUntil` tail wrote after the answer was delivered
   * (the InvokeResult had already gone), keyed by the invocation's executionId
   * and the id of the app it ran for. `truncated`: the invocation's console cap
   * (shared by answer and tail) was reached.
   */
  onTailConsole?: (executionId: string, lines: ConsoleLine[], truncated: boolean, appId: string) => void;
}

/** Runtime plus what the platform reads besides invoke (cron declarations) and test hooks. */
export interface PicloudRuntime extends Runtime {
  /** Evaluate a script once and report its handler forms and Deno.cron declarations. */
  describe(script: ScriptSpec): Promise<ScriptDescription>;
  /** A module script of `appId` changed: re-resolve import graphs on next call. */
  invalidateModules(appId?: string): void;
  /** Test hook: wedge one worker's thread for `ms`. */
  hangWorker(index: number, ms: number): void;
}


export function createRuntime(config: RuntimeConfig, opts: RuntimeOptions): PicloudRuntime {
  const { log } = opts;
  const gate = createGate(config.maxConcurrentExecutions);
  const graph = createModuleGraph(opts.resolver);
  const rpc = createRpcServer({ log, rpc: opts.rpc, fetch: opts.fetch ?? createGuardedFetch(config) });
  const pool = createPool({
    size: Math.max(1, config.workers),
    variant: config.variant,
    warmBudgetMb: config.warmBudgetMb,
    maxScriptMemoryMb: config.ceilings.memoryMb,
    log,
    graceMs: opts.graceMs ?? 2000,
    onRpc: (method, args, state) => rpc.handle(method, args, state),
    onTail: opts.onTailConsole
      ? (caller, lines, truncated) => opts.onTailConsole!(caller.executionId, lines, truncated, caller.appId)
      : undefined,
  });
  const limitsOf = (limits?: Partial<Limits>) => effectiveLimits(config.defaults, config.ceilings, limits);

  const ctxWire = (script: ScriptSpec, input: InvokeInput | null, ctx: InvocationContext): string => {
    const wire: CtxWire = {
      app: { id: script.app.id, slug: script.app.slug },
      script: { id: script.id, name: script.name, version: script.version },
      executionId: ctx.executionId,
      requestId: ctx.requestId,
      rootExecutionId: ctx.rootExecutionId,
      triggerDepth: ctx.triggerDepth,
      params: ctx.params,
      rest: ctx.rest,
      query: ctx.query,
      sdkVersion: SDK_VERSION,
      principal: ctx.principal,
    };
    if (input?.kind === "event") wire.event = input.event;
    if (ctx.remoteAddr) wire.remoteAddr = { hostname: ctx.remoteAddr.hostname, port: ctx.remoteAddr.port };
    return JSON.stringify(wire);
  };

  /** Sandbox key: one runtime per script version, module graph and heap/stack limits. */
  const sandboxKey = (script: ScriptSpec, hash: string, limits: Limits) =>
    `${script.id}@${script.version}#${hash}:${limits.memoryMb}/${limits.stackKb}`;

  async function run(script: ScriptSpec, input: InvokeInput, ctx: InvocationContext, limits: Limits): Promise<InvokeResult> {
    if (input.kind === "http" && input.body && input.body.byteLength > limits.requestBodyBytes) {
      return failure("body_too_large", `request body exceeds ${limits.requestBodyBytes} bytes`);
    }
    let resolved = graph.resolve(script);
    if (resolved instanceof Promise) resolved = await resolved;
    const payload: ScriptPayload = { name: script.name, code: script.code, bundle: resolved.bundle };
    const caller = { appId: script.app.id, scriptId: script.id, executionId: ctx.executionId, principal: ctx.principal };
    return pool.invoke(sandboxKey(script, resolved.hash, limits), payload, limits, input, ctxWire(script, input, ctx), caller);
  }

  return {
    compile(source, compileOpts) {
      if (opts.compile) return opts.compile(source, compileOpts);
      return compileScript(source, { filename: compileOpts?.filename, variant: config.variant });
    },

    async invoke(script, input, ctx) {
      // Refuse at once rather than queue: a Pi under load must shed work it
      // cannot finish (DESIGN §4). The HTTP layer answers 503 + Retry-After: 1.
      if (!gate.tryAcquire()) return failure("gate_full", "too many executions in progress; retry shortly");
      let held = false;
      try {
        const result = await run(script, input, ctx, limitsOf(script.limits));
        // A streamed body keeps its slot until the stream ends (streamEnd never rejects).
        if (result.ok && result.streamEnd) {
          held = true;
          void result.streamEnd.then(() => gate.release());
        }
        return result;
      } catch (e) {
        if (e instanceof PicloudError) return failure(e.code, e.message);
        log.error("runtime invoke failed", { script: script.id, cause: e });
        return failure("internal", "runtime fault");
      } finally {
        if (!held) gate.release();
      }
    },

    async describe(script) {
      const limits = limitsOf(script.limits);
      let resolved = graph.resolve(script);
      if (resolved instanceof Promise) resolved = await resolved;
      const payload: ScriptPayload = { name: script.name, code: script.code, bundle: resolved.bundle };
      const ctx: InvocationContext = {
        executionId: "describe",
        requestId: "describe",
        rootExecutionId: "describe",
        triggerDepth: 0,
        params: {},
        rest: null,
        query: {},
        principal: null,
      };
      return pool.describe(sandboxKey(script, resolved.hash, limits), payload, limits, ctxWire(script, null, ctx));
    },

    effectiveLimits: limitsOf,
    invalidateModules: (appId) => graph.invalidate(appId),
    hangWorker: (index, ms) => pool.hang(index, ms),

    stats() {
      return pool.stats();
    },

    close() {
      return pool.close();
    },
  };
}

export { effectiveLimits, findLimitAboveCeiling } from "./limits.ts";
export type { ScriptDescription } from "./protocol.ts";
export type { FetchFn } from "./rpc.ts";
