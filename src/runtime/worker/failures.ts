// Reading failures out of QuickJS and the shims into ScriptFailure, the
// classified form InvokeFailure is built from.
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from "quickjs-emscripten-core";

const MB = 1024 * 1024;
/** Stack traces are cut here: classic QuickJS prints every frame of a deep recursion. */
const MAX_STACK_CHARS = 4096;

/** A failure of the script, already classified for InvokeFailure. */
export class ScriptFailure extends Error {
  constructor(
    readonly code: "script_error" | "timeout" | "budget_exceeded",
    message: string,
    readonly scriptStack?: string,
  ) {
    // A script chooses its error message: uncapped, `throw new Error("m".repeat(5e6))`
    // put megabytes into the 502 body and into every execution-log row.
    super(message.length > MAX_STACK_CHARS ? `${message.slice(0, MAX_STACK_CHARS)}… (truncated)` : message);
  }
}

/** A rejection of the shims' fromResponse (a script error in the body, or not a Response) → ScriptFailure. */
export function shimFailure(e: unknown): ScriptFailure {
  if (!(e instanceof Error)) return new ScriptFailure("script_error", String(e));
  const message = e.name && e.name !== "Error" ? `${e.name}: ${e.message}` : e.message;
  // Keep the sandbox's frames only: host frames would reveal the server's paths.
  const frames = (e.stack ?? "").split("\n").slice(1).filter((l) => l.trim() && !/\.ts:|node_modules|\$bunfs/.test(l));
  return new ScriptFailure("script_error", message, frames.length ? frames.join("\n").slice(0, MAX_STACK_CHARS) : undefined);
}

interface DescribedError {
  message: string;
  stack?: string;
  oom: boolean;
}

/** Read an exception out of QuickJS. The memory limit is lifted while reading: an OOM leaves no room to describe itself. */
export function describeError(ctx: QuickJSContext, runtime: QuickJSRuntime, errH: QuickJSHandle, memoryMb: number): DescribedError {
  runtime.setMemoryLimit(-1);
  try {
    const v = ctx.dump(errH) as unknown;
    if (v && typeof v === "object" && "message" in v) {
      const e = v as { name?: string; message?: string; stack?: string };
      const name = e.name ?? "Error";
      const message = String(e.message ?? "");
      const oom = name === "InternalError" && message === "out of memory";
      const stack = typeof e.stack === "string" && e.stack ? e.stack.slice(0, MAX_STACK_CHARS) : undefined;
      return { message: `${name}: ${message}`, stack, oom };
    }
    return { message: `Uncaught ${typeof v === "string" ? v : JSON.stringify(v)}`, oom: false };
  } catch {
    return { message: "script threw an unreadable value", oom: false };
  } finally {
    runtime.setMemoryLimit(memoryMb * MB);
  }
}
