// Worker entry: a sandbox host. Holds no credentials; everything it needs
// arrives in messages and every way out (fetch, later the SDK) is an RPC to
// the main thread. Bundled as its own entrypoint in the compiled binary
// (see pool.ts: `bun build --compile src/main.ts src/runtime/worker/main.ts`).
import { LRUCache } from "lru-cache";
import type { QuickJSWASMModule } from "quickjs-emscripten-core";
import type { FromWorker, ScriptPayload, ToWorker } from "../protocol.ts";
import { loadQuickJS } from "../quickjs.ts";
import type { InvokeFailure, InvokeResult, Limits } from "../types.ts";
import { createConsoleBuffer } from "./console.ts";
import { createRpcClient } from "./rpc-client.ts";
import { createShell, type Invocation, type Sandbox, type SandboxDeps, ScriptFailure, type Shell } from "./sandbox.ts";
import { sendStream, type StreamControl } from "./send-stream.ts";
import { installShims, type WireRequest, type WireResponse } from "./shims/index.ts";

declare const self: Worker;

const MB = 1024 * 1024;
/** Script code kept for warm-cache misses, so the main thread rarely resends it. */
const CODE_CACHE_BYTES = 64 * MB;

let qjs: Promise<QuickJSWASMModule> | null = null;
let loadedQjs: QuickJSWASMModule | null = null;
/** WASM heap size past which this worker asks to be replaced (set at init). */
let recycleBytes = Infinity;
let recycleAsked = false;
let warm: LRUCache<string, Sandbox> | null = null;
const creating = new Map<string, Promise<Sandbox>>();
const payloads = new LRUCache<string, ScriptPayload>({
  maxSize: CODE_CACHE_BYTES,
  sizeCalculation: (p) => Math.max(1, p.code.length + (p.bundle ? JSON.stringify(p.bundle).length : 0)),
});

// Replies are batched: one postMessage for all results that became ready
// together (DESIGN §2). While other invocations are still computing, the flush
// waits for the end of this event-loop turn so their answers join it; the last
// one out flushes at once (no added latency for a lone request).
let outbox: FromWorker[] = [];
/** Invocations started and not yet answered (or sent back as missing). */
let computing = 0;
const send = (msg: FromWorker) => {
  if (outbox.length === 0) {
    if (computing > 0) setImmediate(flush);
    else queueMicrotask(flush);
  }
  outbox.push(msg);
};
function flush() {
  const batch = outbox;
  outbox = [];
  if (batch.length) self.postMessage(batch);
}

const rpc = createRpcClient(send);

/** Streamed bodies being sent, by invocation id: the main thread's credits and cancels land here. */
const streams = new Map<number, StreamControl>();
let fatalSent = false;
/** The WASM instance faulted: answer what we can first, then ask to be replaced. */
const fatal = (error: unknown) => {
  if (fatalSent) return;
  fatalSent = true;
  setTimeout(() => {
    send({ t: "fatal", message: error instanceof Error ? error.message : String(error) });
    flush();
  }, 0);
};

const deps = async (): Promise<SandboxDeps> => ({
  qjs: await qjs!,
  installShims,
  fetch: (inv: Invocation | null, request: WireRequest) =>
    inv ? (rpc.call(inv.id, "fetch", [request]) as Promise<WireResponse>) : Promise.reject(new Error("fetch outside an invocation")),
  fatal,
});

// One spare shell (runtime + context + shims, no script), rebuilt when idle.
let spare: Shell | null = null;
let refilling = false;
const refill = () => {
  if (spare || refilling || fatalSent) return;
  refilling = true;
  setTimeout(async () => {
    try {
      spare = createShell(await deps());
    } catch (e) {
      fatal(e);
    } finally {
      refilling = false;
    }
  }, 0);
};
const takeShell = async (): Promise<Shell> => {
  const s = spare;
  spare = null;
  refill();
  return s ?? createShell(await deps());
};

function newInvocation(id: number, limits: Limits): Invocation {
  const started = performance.now();
  return {
    id,
    limits,
    started,
    deadline: started + limits.timeoutMs,
    cpuUsed: 0,
    console: createConsoleBuffer(limits.consoleBytes),
    interrupted: null,
    hasTail: false,
    timers: new Map(),
  };
}

async function sandboxFor(key: string, script: ScriptPayload, limits: Limits, inv: Invocation): Promise<{ sandbox: Sandbox; cold: boolean }> {
  const hit = warm!.get(key);
  if (hit && !hit.corrupt) return { sandbox: hit, cold: false };
  let pending = creating.get(key);
  if (!pending) {
    pending = takeShell().then((shell) => shell.load(key, script, limits, inv));
    creating.set(key, pending);
    pending.then(
      (s) => {
        creating.delete(key);
        warm!.set(key, s);
      },
      () => creating.delete(key),
    );
  }
  return { sandbox: await pending, cold: true };
}

async function invoke(msg: Extract<ToWorker, { t: "inv" }>) {
  computing++;
  let counted = true;
  const done = () => {
    if (counted) computing--;
    counted = false;
  };
  try {
    await run(msg, done);
  } finally {
    done();
  }
}

async function run(msg: Extract<ToWorker, { t: "inv" }>, done: () => void) {
  const { id, key, limits, input } = msg;
  const script = msg.script ?? payloads.get(key);
  if (msg.script) payloads.set(key, msg.script);
  const warmHit = warm!.get(key);
  if (!script && !(warmHit && !warmHit.corrupt)) {
    done();
    send({ t: "missing", id });
    return;
  }
  // A fresh worker compiles the WASM first; that is not the script's time.
  if (!loadedQjs) await qjs;
  const inv = newInvocation(id, limits);
  let answered = false;
  let openTail = false;
  let answeredLines = 0;
  let sandbox: Sandbox | null = null;
  let cold = false;
  const stats = () => ({
    durationMs: performance.now() - inv.started,
    cpuMs: inv.cpuUsed,
    console: inv.console.lines.slice(),
    consoleTruncated: inv.console.truncated,
    cold,
  });
  const answer = (result: InvokeResult, stream?: true) => {
    if (answered) return;
    answered = true;
    // A streamed answer keeps the invocation open: "end" follows once the stream (and any tail) is over.
    openTail = inv.hasTail || stream === true;
    answeredLines = inv.console.lines.length;
    done();
    send({ t: "res", id, result, ended: !openTail, warm: warm!.size, ...(stream ? { stream } : {}) });
  };
  const fail = (code: InvokeFailure["code"], message: string, stack?: string) =>
    answer({ ok: false, code, message, ...(stack ? { stack } : {}), ...stats() });
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(wall);
    if (sandbox) {
      sandbox.end(inv);
      if (sandbox.corrupt) {
        if (warm!.get(key) === sandbox) warm!.delete(key);
        else sandbox.retire();
      }
    }
    if (openTail) send({ t: "end", id, console: inv.console.lines.slice(answeredLines), consoleTruncated: inv.console.truncated });
    openTail = false;
    checkHeap();
  };
  // The wall clock runs even while the script awaits; the interrupt handler
  // covers the case where it never yields.
  const wall = setTimeout(() => {
    fail("timeout", `wall-clock timeout of ${limits.timeoutMs} ms exceeded`);
    streams.get(id)?.abort("timeout", `wall-clock timeout of ${limits.timeoutMs} ms exceeded`);
    finish();
  }, limits.timeoutMs);

  try {
    ({ sandbox, cold } = await sandboxFor(key, script ?? payloads.get(key)!, limits, inv));
    if (input.kind === "http") {
      const res = await sandbox.http(inv, input, msg.ctx);
      if (res.stream) {
        answer({ ok: true, status: res.status, headers: res.headers, body: new Uint8Array(0), ...stats() }, true);
        await sendStream({
          id,
          stream: res.stream,
          maxBytes: limits.responseBodyBytes,
          send,
          stats: () => {
            // Lines written while streaming go with stream_end; "end" carries only what comes after.
            answeredLines = inv.console.lines.length;
            const { cold: _cold, ...s } = stats();
            return s;
          },
          register: (control) => (control ? streams.set(id, control) : streams.delete(id)),
        });
        if (inv.hasTail && !finished) await sandbox.tail(inv).catch(() => {});
        finish();
        return;
      }
      const size = res.body?.byteLength ?? 0;
      if (size > limits.responseBodyBytes) {
        fail("script_error", `response body of ${size} bytes exceeds the script's responseBodyBytes limit (${limits.responseBodyBytes})`);
      } else {
        answer({ ok: true, status: res.status, headers: res.headers, body: res.body ?? new Uint8Array(0), ...stats() });
      }
    } else {
      const out = await sandbox.event(inv, msg.ctx);
      const body = out === undefined ? new Uint8Array(0) : new TextEncoder().encode(out);
      const headers: [string, string][] = out === undefined ? [] : [["content-type", "application/json"]];
      answer({ ok: true, status: out === undefined ? 204 : 200, headers, body, ...stats() });
    }
    if (inv.hasTail && !finished) await sandbox.tail(inv).catch(() => {});
  } catch (e) {
    if (e instanceof ScriptFailure) fail(e.code, e.message, e.scriptStack);
    else fail("internal", `sandbox fault: ${e instanceof Error ? e.message : String(e)}`);
  }
  finish();
}

/** WASM memory never shrinks: after a script ballooned it, start over in a fresh worker. */
function checkHeap() {
  if (recycleAsked || !loadedQjs) return;
  const bytes = (loadedQjs as unknown as { module?: { HEAP8?: Int8Array } }).module?.HEAP8?.buffer.byteLength ?? 0;
  if (bytes <= recycleBytes) return;
  recycleAsked = true;
  send({ t: "recycle", heapMb: Math.round(bytes / MB) });
}

async function describe(msg: Extract<ToWorker, { t: "describe" }>) {
  const inv = newInvocation(msg.id, msg.limits);
  try {
    const sandbox = await (await takeShell()).load(msg.key, msg.script, msg.limits, inv);
    const description = sandbox.describe();
    sandbox.retire();
    send({ t: "described", id: msg.id, ok: true, description });
  } catch (e) {
    send({ t: "described", id: msg.id, ok: false, message: e instanceof Error ? e.message : String(e) });
  }
}

self.onmessage = (event: MessageEvent<ToWorker[] | string>) => {
  // The pool sends a batch of body-less HTTP invocations as JSON text (pool.ts, jsonSafe).
  const batch: ToWorker[] = typeof event.data === "string" ? JSON.parse(event.data) : event.data;
  for (const msg of batch) {
    switch (msg.t) {
      case "init":
        qjs = loadQuickJS(msg.variant, { maxMemoryMb: msg.maxHeapMb });
        qjs.then((m) => (loadedQjs = m));
        recycleBytes = msg.recycleMb * MB;
        warm = new LRUCache<string, Sandbox>({
          maxSize: msg.warmBudgetMb * MB,
          sizeCalculation: (s) => Math.max(1, s.memoryBytes),
          dispose: (s) => s.retire(),
        });
        qjs.then(() => {
          send({ t: "ready" });
          refill();
        }, fatal);
        break;
      case "inv":
        void invoke(msg);
        break;
      case "pull":
        streams.get(msg.id)?.credit(msg.n);
        break;
      case "cancel":
        streams.get(msg.id)?.cancel();
        break;
      case "rpc_res":
        rpc.settle(msg);
        break;
      case "describe":
        void describe(msg);
        break;
      case "hang": {
        const until = Date.now() + msg.ms;
        while (Date.now() < until) {
          // Deliberately wedged: the supervisor must notice and replace us.
        }
        break;
      }
    }
  }
};

// In a Bun worker an unhandled rejection closes the worker (preventDefault on
// the DOM event does not stop it; measured), taking every in-flight call with
// it. A rejection nobody awaited (a late shim callback on a disposed sandbox)
// is harmless, so it is swallowed; an uncaught exception is a host bug: answer
// what we can and ask to be replaced.
process.on("unhandledRejection", () => {});
process.on("uncaughtException", (e) => fatal(e));
