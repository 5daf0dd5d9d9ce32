// Streamed response bodies (docs/runtime.md "Streaming responses"): a handler's
// ReadableStream body leaves the sandbox chunk by chunk, under the same limits.
// Real workers and QuickJS; ordering is proven by arrival, never by timing.
import { afterAll, describe, expect, test } from "bun:test";
import type { InvokeResult, StreamEnd } from "../../src/runtime/types.ts";
import { SSE_SOURCE } from "../support/sse-script.ts";
import { ctx, http, makeRuntime, script, text } from "./support.ts";

// One worker: a follow-up call reads the same warm sandbox's globals.
const rt = makeRuntime({ PICLOUD_MAX_CONCURRENT_EXECUTIONS: "1", PICLOUD_WORKERS: "1" });
afterAll(() => rt.close());
const dec = new TextDecoder();

type Streamed = Extract<InvokeResult, { ok: true }> & { bodyStream: ReadableStream<Uint8Array>; streamEnd: Promise<StreamEnd> };
function streamed(r: InvokeResult): Streamed {
  if (!r.ok) throw new Error(`invocation failed: ${r.code} ${r.message}`);
  if (!r.bodyStream || !r.streamEnd) throw new Error("expected a streamed body");
  return r as Streamed;
}
/** Whether a promise has settled, checked after the current microtasks. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setTimeout(r, 0));
  return done;
}

const SSE = script(SSE_SOURCE);

describe("streamed response bodies", () => {
  test("the first event arrives before the script enqueues the second", async () => {
    const r = streamed(await rt.invoke(SSE, http(), ctx()));
    expect(r.status).toBe(200);
    expect(r.headers).toContainEqual(["content-type", "text/event-stream"]);
    expect(r.body.byteLength).toBe(0);
    const reader = r.bodyStream.getReader();
    const first = await reader.read();
    expect(dec.decode(first.value)).toBe('id: 0\ndata: {"n":0}\n\n');
    // The stream has not ended: the script is still waiting on its timer.
    expect(await settled(r.streamEnd)).toBe(false);
    const rest: string[] = [];
    for (;;) {
      const x = await reader.read();
      if (x.done) break;
      rest.push(dec.decode(x.value));
    }
    expect(rest).toEqual(['id: 1\ndata: {"n":1}\n\n', 'id: 2\ndata: {"n":2}\n\n']);
    const end = await r.streamEnd;
    expect(end).toMatchObject({ ok: true, cancelled: false, size: 3 * 21 });
  });

  test("the gate slot is held until the stream ends", async () => {
    const r = streamed(await rt.invoke(SSE, http(), ctx()));
    const busy = await rt.invoke(SSE, http(), ctx());
    expect(!busy.ok && busy.code).toBe("gate_full");
    await new Response(r.bodyStream).text();
    await r.streamEnd;
    expect((await rt.invoke(SSE, http({ url: "http://localhost/state" }), ctx())).ok).toBe(true);
  });

  test("a client that goes away cancels the stream in the sandbox", async () => {
    const r = streamed(await rt.invoke(SSE, http(), ctx()));
    const reader = r.bodyStream.getReader();
    await reader.read();
    await reader.cancel();
    expect(await r.streamEnd).toMatchObject({ ok: true, cancelled: true, size: 21 });
    const state = await rt.invoke(SSE, http({ url: "http://localhost/state" }), ctx());
    expect(JSON.parse(text(state)).cancelled).toBe("the response stream was cancelled");
  });

  test("passing responseBodyBytes mid-stream errors the stream and cancels the source", async () => {
    const s = script(
      `export default { fetch() {
        return new Response(new ReadableStream({
          async pull(c) { await new Promise((r) => setTimeout(r, 5)); c.enqueue(new Uint8Array(400)); },
          cancel() { globalThis.cut = true; },
        }));
      } };`,
      { limits: { responseBodyBytes: 1000 } },
    );
    const r = streamed(await rt.invoke(s, http(), ctx()));
    expect(r.status).toBe(200);
    const reader = r.bodyStream.getReader();
    let got = 0;
    const error = await (async () => {
      for (;;) {
        const x = await reader.read();
        if (x.done) return null;
        got += x.value.byteLength;
      }
    })().catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    expect(got).toBe(800);
    const end = await r.streamEnd;
    expect(end.ok).toBe(false);
    expect(!end.ok && end.code).toBe("script_error");
    expect(!end.ok && end.message).toContain("responseBodyBytes");
    expect(end.size).toBe(1200);
  });

  test("the wall-clock timeout ends a stream that never closes", async () => {
    const s = script(
      `export default { fetch() {
        return new Response(new ReadableStream({ start(c) { c.enqueue("first"); } }));
      } };`,
      { limits: { timeoutMs: 300 } },
    );
    const r = streamed(await rt.invoke(s, http(), ctx()));
    const reader = r.bodyStream.getReader();
    expect(dec.decode((await reader.read()).value)).toBe("first");
    expect(await reader.read().catch((e) => e)).toBeInstanceOf(Error);
    const end = await r.streamEnd;
    expect(!end.ok && end.code).toBe("timeout");
  });

  test("the CPU budget ends a stream whose script spins", async () => {
    const s = script(
      `export default { fetch() {
        let n = 0;
        return new Response(new ReadableStream({ pull(c) { if (n++ === 0) { c.enqueue("go"); return; } for (;;) {} } }));
      } };`,
      { limits: { cpuMs: 50, timeoutMs: 5000 } },
    );
    const r = streamed(await rt.invoke(s, http(), ctx()));
    const out = await new Response(r.bodyStream).text().catch((e) => e);
    expect(out).toBeInstanceOf(Error);
    const end = await r.streamEnd;
    expect(!end.ok && end.code).toBe("budget_exceeded");
  });

  test("a script error mid-stream errors the stream", async () => {
    const s = script(`export default { fetch() {
      let n = 0;
      return new Response(new ReadableStream({ pull(c) { if (n++ === 0) c.enqueue("a"); else throw new TypeError("broke"); } }));
    } };`);
    const r = streamed(await rt.invoke(s, http(), ctx()));
    expect(await new Response(r.bodyStream).text().catch((e) => e)).toBeInstanceOf(Error);
    const end = await r.streamEnd;
    expect(!end.ok && end.code).toBe("script_error");
    expect(!end.ok && end.message).toContain("broke");
  });

  test("fixed bodies keep the single-message path", async () => {
    const s = script(`export default { fetch() { return new Response("fixed", { headers: { "x-a": "1" } }); } };`);
    const r = await rt.invoke(s, http(), ctx());
    expect(r.ok && r.bodyStream).toBeUndefined();
    expect(r.ok && r.streamEnd).toBeUndefined();
    expect(text(r)).toBe("fixed");
  });
});
