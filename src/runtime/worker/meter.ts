// The meter of one sandbox: which invocation the code running in its QuickJS
// runtime belongs to, how much CPU and memory it used, and the interrupt
// handler that stops it at its wall-clock, CPU or memory limit (DESIGN §4).
import type { QuickJSContext, QuickJSRuntime, QuickJSWASMModule } from "quickjs-emscripten-core";
import { ScriptFailure } from "./failures.ts";
import { wasmHeap } from "./runtime-support.ts";
import type { Invocation } from "./sandbox.ts";

/** Promise jobs run with no live invocation (a late fetch reply) get this much CPU per slice. */
const ORPHAN_SLICE_MS = 50;

export interface MeterDeps {
  qjs: QuickJSWASMModule;
  runtime: QuickJSRuntime;
  ctx: QuickJSContext;
  /** The sandbox's live invocations, oldest first. */
  active: ReadonlySet<Invocation>;
  /** An invocation was stopped (`inv.interrupted` is set): the runtime must not be reused. */
  stopped(): void;
  /** The WASM instance faulted (not a JS exception): the worker must be replaced. */
  fatal(error: unknown): void;
}

export interface Meter {
  /** Runs `fn` (a call into QuickJS) on behalf of `inv`, charging it the CPU time and checking its memory. */
  enter<T>(inv: Invocation | null, fn: () => T): T;
  /** The invocation running now, else the oldest live one: what a shim's or timer's own work is charged to. */
  owner(): Invocation | null;
  setMemoryLimit(bytes: number): void;
}

export function createMeter({ qjs, runtime, ctx, active, stopped, fatal }: MeterDeps): Meter {
  // QuickJS's own malloc limit, in this build, refuses a single allocation
  // larger than the limit but does not add allocations up (measured: 64 × 1 MB
  // ArrayBuffers under a 16 MB limit all succeed). The runtime's real usage is
  // checked here instead (≈1 µs): at every interrupt check and whenever the
  // WASM heap grew during a slice.
  const heap = wasmHeap(qjs);
  let memoryLimitBytes = Infinity;
  const overMemory = (): boolean => {
    const h = runtime.computeMemoryUsage();
    const used = ctx.getProp(h, "memory_used_size");
    const bytes = ctx.getNumber(used);
    used.dispose();
    h.dispose();
    return bytes > memoryLimitBytes;
  };
  let current: Invocation | null = null;
  let sliceStart = 0;
  let orphanStart = -1;
  let orphanInv: Invocation | null = null;
  const oldest = (): Invocation | null => {
    for (const inv of active) return inv;
    return null;
  };
  const stop = (inv: Invocation, why: NonNullable<Invocation["interrupted"]>) => {
    inv.interrupted ??= why;
    stopped();
    return true;
  };

  // Budget checks run every few thousand QuickJS branches. Work entered through
  // `enter` has an exact start; work a shim runs on its own (settling a fetch)
  // is charged to the oldest live invocation from the first check on.
  runtime.setInterruptHandler(() => {
    const now = performance.now();
    let inv = current;
    let start = sliceStart;
    if (!inv) {
      if (orphanStart < 0) {
        orphanStart = now;
        orphanInv = oldest();
        queueMicrotask(() => {
          if (orphanInv) orphanInv.cpuUsed += performance.now() - orphanStart;
          orphanStart = -1;
          orphanInv = null;
        });
      }
      inv = orphanInv;
      start = orphanStart;
      if (!inv) return now - start > ORPHAN_SLICE_MS;
    }
    if (now >= inv.deadline) return stop(inv, "timeout");
    if (inv.cpuUsed + (now - start) > inv.limits.cpuMs) return stop(inv, "budget_exceeded");
    if (overMemory()) return stop(inv, "memory");
    return false;
  });

  return {
    enter(inv, fn) {
      const prev = current;
      const prevStart = sliceStart;
      const outer = inv !== null && inv !== prev;
      const heapBefore = heap.byteLength;
      if (outer) {
        current = inv;
        sliceStart = performance.now();
      }
      try {
        return fn();
      } catch (e) {
        // A WASM trap or a host stack overflow mid-call (QuickJS exceptions come
        // back as results): the shared WASM instance cannot be trusted again.
        if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) {
          fatal(e);
          if (e instanceof RangeError) throw new ScriptFailure("script_error", "RangeError: Maximum call stack size exceeded (host stack)");
        }
        throw e;
      } finally {
        if (outer) {
          inv.cpuUsed += performance.now() - sliceStart;
          current = prev;
          sliceStart = prevStart;
        }
        // The WASM heap grew during this slice: maybe this script's allocations.
        if (inv && heap.byteLength !== heapBefore && !inv.interrupted && overMemory()) stop(inv, "memory");
      }
    },
    owner: () => current ?? oldest(),
    setMemoryLimit(bytes) {
      memoryLimitBytes = bytes;
      runtime.setMemoryLimit(bytes);
    },
  };
}
