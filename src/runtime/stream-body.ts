// The main thread's end of a streamed response body (docs/runtime.md
// "Streaming responses"): chunk messages from the worker feed a ReadableStream;
// reading it sends credits back, cancelling it cancels the sandbox's stream.
import type { InvokeSuccess, StreamEnd } from "./types.ts";

/** Chunks queued on the main thread before credits stop flowing back (the worker holds 8 more). */
export const STREAM_QUEUE = 4;

/** Where the pool delivers a streamed invocation's chunk and end messages. */
export interface StreamSink {
  chunk(bytes: Uint8Array): void;
  end(e: StreamEnd): void;
}

export interface StreamBodyOptions {
  /** The consumer read: the worker may send `n` more chunks. */
  credit(n: number): void;
  /** The consumer went away. */
  cancel(): void;
}

/** The answer of a streamed invocation (head plus bodyStream/streamEnd) and the sink that feeds it. */
export function createStreamBody(head: InvokeSuccess, opts: StreamBodyOptions): { result: InvokeSuccess; sink: StreamSink } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let settle!: (e: StreamEnd) => void;
  const streamEnd = new Promise<StreamEnd>((resolve) => (settle = resolve));
  let owed = 0;
  let open = true;
  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      pull() {
        if (owed > 0) {
          opts.credit(owed);
          owed = 0;
        }
      },
      cancel() {
        if (open) opts.cancel();
      },
    },
    { highWaterMark: STREAM_QUEUE, size: () => 1 },
  );
  const sink: StreamSink = {
    chunk(bytes) {
      if (!open) return;
      controller.enqueue(bytes);
      if ((controller.desiredSize ?? 0) > 0) opts.credit(1);
      else owed++;
    },
    end(e) {
      if (!open) return;
      open = false;
      try {
        if (e.ok) controller.close();
        else controller.error(new Error(e.message));
      } catch {
        // The consumer cancelled: nothing left to close.
      }
      settle(e);
    },
  };
  return { result: { ...head, bodyStream: body, streamEnd }, sink };
}
