// Sends a handler's streamed body to the main thread chunk by chunk
// (docs/runtime.md "Streaming responses"): within the main thread's credits,
// counting bytes against responseBodyBytes, ending once with stream_end.
import type { FromWorker } from "../protocol.ts";
import type { InvokeFailure, StreamEnd } from "../types.ts";
import { ScriptFailure } from "./failures.ts";
import type { WireStream } from "./shims/index.ts";

/** Chunks a streamed body may have in flight to the main thread before it asks for more. */
export const STREAM_CREDITS = 8;

/** What the worker's message loop holds for a stream: credits and cancels from the main thread land here. */
export interface StreamControl {
  credit(n: number): void;
  cancel(): void;
  /** A limit outside the stream (the wall clock) ends it. */
  abort(code: InvokeFailure["code"], message: string): void;
}

type Outcome = { ok: true; cancelled: boolean } | { ok: false; code: InvokeFailure["code"]; message: string; stack?: string };

export interface SendStreamOptions {
  id: number;
  stream: WireStream;
  maxBytes: number;
  send(msg: FromWorker): void;
  /** The invocation's facts at the end (duration, CPU, console). */
  stats(): Omit<StreamEnd, "size" | "ok" | "cancelled" | "code" | "message" | "stack">;
  /** Called with the control while the stream runs, and with null once it ended. */
  register(control: StreamControl | null): void;
}

export async function sendStream({ id, stream, maxBytes, send, stats, register }: SendStreamOptions): Promise<void> {
  let size = 0;
  let credits = STREAM_CREDITS;
  let ended = false;
  let wake: (() => void) | null = null;
  let stop!: () => void;
  const stopped = new Promise<null>((resolve) => (stop = () => resolve(null)));
  const end = (outcome: Outcome) => {
    if (ended) return;
    ended = true;
    register(null);
    send({ t: "stream_end", id, end: { ...stats(), size, ...outcome } as StreamEnd });
    stop();
    wake?.();
  };
  const cut = (code: InvokeFailure["code"], message: string) => {
    stream.cancel();
    end({ ok: false, code, message });
  };
  register({
    credit(n) {
      credits += n;
      wake?.();
    },
    cancel() {
      stream.cancel();
      end({ ok: true, cancelled: true });
    },
    abort: cut,
  });
  while (!ended) {
    if (credits <= 0) {
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      continue;
    }
    let chunk: Uint8Array | null;
    try {
      // A pull whose script never enqueues again is left behind when a limit or the client ends the stream.
      chunk = await Promise.race([stream.pull(), stopped]);
    } catch (e) {
      if (e instanceof ScriptFailure) end({ ok: false, code: e.code, message: e.message, ...(e.scriptStack ? { stack: e.scriptStack } : {}) });
      else end({ ok: false, code: "internal", message: `sandbox fault: ${e instanceof Error ? e.message : String(e)}` });
      break;
    }
    if (ended) break;
    if (chunk === null) {
      end({ ok: true, cancelled: false });
      break;
    }
    size += chunk.byteLength;
    if (size > maxBytes) {
      cut("script_error", `response body exceeds the script's responseBodyBytes limit (${maxBytes}) after the headers were sent`);
      break;
    }
    credits--;
    if (chunk.byteLength) send({ t: "chunk", id, bytes: chunk });
  }
}
