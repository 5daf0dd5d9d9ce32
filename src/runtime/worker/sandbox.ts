// One sandbox = one QuickJS runtime + one context for one script version
// (DESIGN §4: never shared between scripts). It evaluates the module once and
// then serves many invocations, like an isolate; globals persist between them.
import { DisposableResult, type QuickJSHandle, type QuickJSRuntime, type QuickJSWASMModule } from "quickjs-emscripten-core";
import type { ScriptDescription, ScriptPayload } from "../protocol.ts";
import type { Limits } from "../types.ts";
import { BOOTSTRAP_JS } from "./bootstrap.ts";
import { asLevel, type ConsoleBuffer } from "./console.ts";
import type { InstallShims, ShimBridge, WireRequest, WireResponse, WireStream } from "./shims/index.ts";
import { describeError, ScriptFailure, shimFailure } from "./failures.ts";
import { createMeter } from "./meter.ts";
import { installModuleLoader, measure } from "./runtime-support.ts";
import { createTimers, type TimerOwner } from "./timers.ts";

export { ScriptFailure } from "./failures.ts";

const MB = 1024 * 1024;
/**
 * QuickJS frames also use the Bun worker thread's native stack, which Bun
 * does not let us size: past ~384 KB of QuickJS stack the host overflows
 * first and leaves the WASM instance corrupt (measured on x64, both
 * variants). Larger limits are clamped to this.
 */
export const HOST_SAFE_STACK_KB = 256;

/** One call into a sandbox, as the sandbox sees it. */
export interface Invocation extends TimerOwner {
  id: number;
  limits: Limits;
  /** performance.now() at arrival. */
  started: number;
  /** performance.now() after which the interrupt handler stops the script. */
  deadline: number;
  /** Milliseconds spent running inside QuickJS on behalf of this invocation. */
  cpuUsed: number;
  console: ConsoleBuffer;
  /** Set by the interrupt handler when it stopped the script. */
  interrupted: "timeout" | "budget_exceeded" | "memory" | null;
  /** ctx.waitUntil was called: a tail runs after the answer. */
  hasTail: boolean;
}

export interface SandboxDeps {
  qjs: QuickJSWASMModule;
  installShims: InstallShims;
  /** Outbound fetch on behalf of an invocation: an RPC to the main thread. */
  fetch(inv: Invocation | null, request: WireRequest): Promise<WireResponse>;
  /** The WASM instance faulted (not a JS exception): the worker must be replaced. */
  fatal(error: unknown): void;
}

export interface Sandbox {
  readonly key: string;
  /** QuickJS heap bytes measured after evaluation: the warm cache's size unit. */
  readonly memoryBytes: number;
  /** True after an interrupt or OOM: never reuse, dispose when idle. */
  readonly corrupt: boolean;
  readonly active: ReadonlySet<Invocation>;
  http(inv: Invocation, request: WireRequest, ctxJson: string): Promise<WireResponse>;
  event(inv: Invocation, ctxJson: string): Promise<string | undefined>;
  /** Wait for the invocation's waitUntil promises. */
  tail(inv: Invocation): Promise<void>;
  /** The invocation is over: cancel its timers, forget it. */
  end(inv: Invocation): void;
  describe(): ScriptDescription;
  /** Leave the warm cache: dispose as soon as no invocation uses it. */
  retire(): void;
}

/**
 * A runtime + context with shims and bootstrap installed but no script yet.
 * The worker keeps one spare, built while idle, so a cold script pays only
 * for evaluating its own module (installing the shims is the expensive part).
 */
export interface Shell {
  load(key: string, script: ScriptPayload, limits: Limits, first: Invocation): Promise<Sandbox>;
  dispose(): void;
}

export async function createSandbox(
  deps: SandboxDeps,
  key: string,
  script: ScriptPayload,
  limits: Limits,
  first: Invocation,
): Promise<Sandbox> {
  return createShell(deps).load(key, script, limits, first);
}

export function createShell(deps: SandboxDeps): Shell {
  const runtime = deps.qjs.newRuntime();
  const ctx = runtime.newContext();
  // Set by load(): a shell belongs to no script until then.
  let key = "";
  let limits = null as unknown as Limits;
  let loaded = false;

  const active = new Set<Invocation>();
  let corrupt = false;
  let retired = false;
  let disposed = false;
  const meter = createMeter({
    qjs: deps.qjs, runtime, ctx, active,
    stopped: () => {
      corrupt = true;
    },
    fatal: deps.fatal,
  });
  const { enter } = meter;

  // Completions reported by the dispatcher (hostSettle), one outstanding per invocation.
  const settles = new Map<number, { inv: Invocation; resolve(h: QuickJSHandle): void; reject(f: ScriptFailure): void }>();

  /**
   * After every pump: an invocation the interrupt handler stopped, or one whose
   * job ran out of memory, fails now. quickjs-ng leaves a promise whose job was
   * interrupted pending forever, so waiting for its rejection is not enough.
   */
  /** Streamed-body reads in flight: an interrupted invocation's read fails at once (its promise may never settle). */
  const streamWaits = new Map<(f: ScriptFailure) => void, Invocation>();
  const afterPump = (inv: Invocation | null, r: ReturnType<QuickJSRuntime["executePendingJobs"]>) => {
    if (r.error) {
      const e = describeError(ctx, runtime, r.error, limits.memoryMb);
      r.error.dispose();
      if (e.oom && inv) {
        corrupt = true;
        const s = settles.get(inv.id);
        if (s) {
          settles.delete(inv.id);
          s.reject(new ScriptFailure("budget_exceeded", `memory limit of ${inv.limits.memoryMb} MB exceeded`));
        }
      }
    }
    for (const [w, winv] of streamWaits) {
      if (!winv.interrupted) continue;
      streamWaits.delete(w);
      w(failure(winv, null));
    }
    for (const [id, s] of settles) {
      if (!s.inv.interrupted) continue;
      settles.delete(id);
      s.reject(failure(s.inv, null));
    }
  };

  // Shims settle host promises and pump on their own (the rule in shims/index.ts);
  // routing their pumps through `enter` keeps CPU accounting and budgets exact.
  const rawPump = runtime.executePendingJobs.bind(runtime);
  runtime.executePendingJobs = (max?: number | void) => {
    const inv = meter.owner();
    const r = enter(inv, () => rawPump(max));
    afterPump(inv, r);
    // The shim gets a clean result: failures were routed to their invocations.
    return DisposableResult.success(0) as unknown as ReturnType<QuickJSRuntime["executePendingJobs"]>;
  };
  const pump = (inv: Invocation | null) => {
    if (disposed) return;
    afterPump(inv, enter(inv, () => rawPump()));
  };

  const timers = createTimers<Invocation>(ctx, {
    owner: meter.owner,
    fire: (owner, fn) => {
      if (disposed || !active.has(owner)) return;
      const r = enter(owner, () => ctx.callFunction(fn, ctx.undefined));
      if (r.error) {
        owner.console.push("error", `Uncaught (in timer) ${describeError(ctx, runtime, r.error, limits.memoryMb).message}`);
        r.error.dispose();
      } else r.value.dispose();
      pump(owner);
    },
  });

  const bridge: ShimBridge = deps.installShims(ctx, {
    fetch: (request) => deps.fetch(meter.owner(), request),
  });

  const host = ctx.newObject();
  const log = ctx.newFunction("log", (levelH, msgH) => {
    const inv = meter.owner();
    if (!inv || !inv.console.open) return;
    inv.console.push(asLevel(ctx.getString(levelH)), ctx.getString(msgH));
  });
  const waitUntil = ctx.newFunction("waitUntil", (seqH) => {
    const seq = ctx.getNumber(seqH);
    for (const inv of active) if (inv.id === seq) inv.hasTail = true;
  });
  const settle = ctx.newFunction("settle", (seqH, okH, valueH) => {
    const s = settles.get(ctx.getNumber(seqH));
    if (!s) return;
    settles.delete(s.inv.id);
    if (ctx.typeof(okH) === "boolean" && ctx.dump(okH) === true) s.resolve(valueH.dup());
    else s.reject(failure(s.inv, valueH));
  });
  for (const [name, fn] of [["log", log], ["setTimer", timers.setTimer], ["clearTimer", timers.clearTimer], ["waitUntil", waitUntil], ["settle", settle]] as const) {
    ctx.setProp(host, name, fn);
    fn.dispose();
  }
  const bootFn = ctx.unwrapResult(ctx.evalCode(BOOTSTRAP_JS, "picloud:bootstrap", { type: "global", strict: true }));
  const api = ctx.unwrapResult(ctx.callFunction(bootFn, ctx.undefined, host));
  bootFn.dispose();
  host.dispose();
  const fns = {
    setModule: ctx.getProp(api, "setModule"),
    watch: ctx.getProp(api, "watch"),
    describe: ctx.getProp(api, "describe"),
    http: ctx.getProp(api, "http"),
    event: ctx.getProp(api, "event"),
    tail: ctx.getProp(api, "tail"),
    forget: ctx.getProp(api, "forget"),
  };

  const disposeAll = () => {
    if (disposed) return;
    disposed = true;
    try {
      for (const inv of active) timers.cancelAll(inv);
      for (const h of Object.values(fns)) h.dispose();
      api.dispose();
      bridge.dispose();
      ctx.dispose();
      runtime.dispose();
    } catch {
      // A runtime that hit OOM can refuse a clean teardown; the WASM memory is
      // reclaimed with the worker if that ever leaks enough to matter.
    }
  };

  /** Turn a rejection or throw inside QuickJS into a ScriptFailure. */
  function failure(inv: Invocation, errH: QuickJSHandle | null): ScriptFailure {
    if (inv.interrupted === "timeout") return new ScriptFailure("timeout", `wall-clock timeout of ${inv.limits.timeoutMs} ms exceeded`);
    if (inv.interrupted === "budget_exceeded") return new ScriptFailure("budget_exceeded", `CPU budget of ${inv.limits.cpuMs} ms exceeded`);
    if (inv.interrupted === "memory") return new ScriptFailure("budget_exceeded", `memory limit of ${inv.limits.memoryMb} MB exceeded`);
    if (!errH) return new ScriptFailure("script_error", "the script failed");
    const e = describeError(ctx, runtime, errH, limits.memoryMb);
    if (e.oom) {
      corrupt = true;
      return new ScriptFailure("budget_exceeded", `memory limit of ${inv.limits.memoryMb} MB exceeded`);
    }
    return new ScriptFailure("script_error", e.message, e.stack);
  }

  /** Call a dispatcher function that reports through hostSettle, pumping jobs until it does. */
  const callAsync = (inv: Invocation, fn: QuickJSHandle, args: QuickJSHandle[]): Promise<QuickJSHandle> =>
    new Promise<QuickJSHandle>((resolve, reject) => {
      if (disposed) return reject(new ScriptFailure("script_error", "the sandbox was discarded"));
      settles.set(inv.id, { inv, resolve, reject });
      const r = enter(inv, () => ctx.callFunction(fn, api, args));
      for (const a of args) a.dispose();
      if (r.error) {
        settles.delete(inv.id);
        reject(failure(inv, r.error));
        r.error.dispose();
        return;
      }
      r.value.dispose();
      pump(inv);
    });

  /** A value the handler returned: settled promises and plain values are read at once, pending ones awaited. */
  const settled = async (inv: Invocation, value: QuickJSHandle): Promise<QuickJSHandle> => {
    const st = ctx.getPromiseState(value);
    if (st.type === "fulfilled") {
      if (st.notAPromise) return value;
      value.dispose();
      return st.value;
    }
    if (st.type === "rejected") {
      value.dispose();
      const f = failure(inv, st.error);
      st.error.dispose();
      throw f;
    }
    return callAsync(inv, fns.watch, [ctx.newNumber(inv.id), value]);
  };

  /** A streamed body's reads run under the invocation: its CPU budget, deadline and memory limit apply. */
  const meteredStream = (inv: Invocation, raw: WireStream): WireStream => ({
    async pull() {
      if (disposed) throw new ScriptFailure("script_error", "the sandbox was discarded");
      if (inv.interrupted) throw failure(inv, null);
      let stop!: (f: ScriptFailure) => void;
      const stopped = new Promise<never>((_, reject) => (stop = reject));
      streamWaits.set(stop, inv);
      try {
        const read = enter(inv, () => raw.pull());
        // Interrupted during the read itself: its jobs may never run, so no pump reports it.
        if (inv.interrupted) {
          read.catch(() => {});
          throw failure(inv, null);
        }
        const chunk = await Promise.race([read, stopped]);
        if (inv.interrupted) throw failure(inv, null);
        return chunk;
      } catch (e) {
        if (e instanceof ScriptFailure) throw e;
        if (inv.interrupted) throw failure(inv, null);
        throw shimFailure(e);
      } finally {
        streamWaits.delete(stop);
      }
    },
    cancel() {
      if (!disposed) enter(inv, () => raw.cancel());
    },
  });

  const sandbox: Sandbox = {
    get key() {
      return key;
    },
    memoryBytes: 0,
    get corrupt() {
      return corrupt;
    },
    active,
    async http(inv, request, ctxJson) {
      active.add(inv);
      let reqH: QuickJSHandle;
      try {
        reqH = enter(inv, () => bridge.toRequest(request));
      } catch (e) {
        // Building the Request inside the sandbox failed: its budget ran out, or the runtime did.
        if (inv.interrupted) throw failure(inv, null);
        if (e instanceof ScriptFailure) throw e;
        throw shimFailure(e);
      }
      const args = [ctx.newNumber(inv.id), reqH, ctx.newString(ctxJson)];
      const r = enter(inv, () => ctx.callFunction(fns.http, api, args));
      for (const a of args) a.dispose();
      if (r.error) {
        const f = failure(inv, r.error);
        r.error.dispose();
        throw f;
      }
      const resH = await settled(inv, r.value);
      try {
        if (runtime.hasPendingJob()) pump(inv);
        if (inv.interrupted) throw failure(inv, null);
        const res = await bridge.fromResponse(resH, { stream: true });
        if (res.stream) res.stream = meteredStream(inv, res.stream);
        return res;
      } catch (e) {
        if (e instanceof ScriptFailure) throw e;
        if (inv.interrupted) throw failure(inv, null);
        throw shimFailure(e);
      } finally {
        if (resH.alive) resH.dispose();
      }
    },
    async event(inv, ctxJson) {
      active.add(inv);
      const outH = await callAsync(inv, fns.event, [ctx.newNumber(inv.id), ctx.newString(ctxJson)]);
      const out = ctx.typeof(outH) === "string" ? ctx.getString(outH) : undefined;
      outH.dispose();
      return out;
    },
    async tail(inv) {
      const h = await callAsync(inv, fns.tail, [ctx.newNumber(inv.id)]);
      h.dispose();
    },
    end(inv) {
      if (!active.has(inv)) return;
      active.delete(inv);
      // Whatever still waits on this invocation (a tail cut by the wall clock) stops waiting.
      const waiting = settles.get(inv.id);
      if (waiting) {
        settles.delete(inv.id);
        waiting.reject(new ScriptFailure("timeout", "the invocation ended"));
      }
      if (disposed) return;
      timers.cancelAll(inv);
      if (inv.hasTail) {
        const seq = ctx.newNumber(inv.id);
        ctx.callFunction(fns.forget, api, seq).dispose();
        seq.dispose();
      }
      if ((retired || corrupt) && active.size === 0) disposeAll();
    },
    describe() {
      const h = ctx.unwrapResult(ctx.callFunction(fns.describe, api));
      const d = JSON.parse(ctx.getString(h)) as ScriptDescription;
      h.dispose();
      return d;
    },
    retire() {
      retired = true;
      if (active.size === 0) disposeAll();
    },
  };

  return {
    async load(k, script, l, first) {
      if (loaded) throw new Error("a shell is loaded once");
      loaded = true;
      key = k;
      limits = l;
      meter.setMemoryLimit(l.memoryMb * MB);
      runtime.setMaxStackSize(Math.min(l.stackKb, HOST_SAFE_STACK_KB) * 1024);
      installModuleLoader(runtime, script.bundle);
      // Evaluate the module on behalf of the first invocation: top-level code
      // counts against its CPU budget and its console.
      active.add(first);
      try {
        const evaluated = enter(first, () => ctx.evalCode(script.code, script.name, { type: "module" }));
        if (evaluated.error) {
          const f = failure(first, evaluated.error);
          evaluated.error.dispose();
          throw f;
        }
        // Top-level await: the result may be a promise for the namespace.
        let ns: QuickJSHandle;
        const st = ctx.getPromiseState(evaluated.value);
        if (st.type === "fulfilled" && st.notAPromise) ns = evaluated.value;
        else if (st.type === "fulfilled") {
          ns = st.value;
          evaluated.value.dispose();
        } else if (st.type === "rejected") {
          const f = failure(first, st.error);
          st.error.dispose();
          evaluated.value.dispose();
          throw f;
        } else ns = await callAsync(first, fns.watch, [ctx.newNumber(first.id), evaluated.value]);
        enter(first, () => ctx.callFunction(fns.setModule, api, ns)).dispose();
        ns.dispose();
      } catch (e) {
        active.delete(first);
        timers.cancelAll(first);
        disposeAll();
        throw e;
      }
      active.delete(first);
      (sandbox as { memoryBytes: number }).memoryBytes = measure(ctx, runtime);
      return sandbox;
    },
    dispose: disposeAll,
  };
}
