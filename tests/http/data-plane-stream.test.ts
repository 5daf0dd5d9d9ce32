// Streamed response bodies over real HTTP on loopback, both drivers: the first
// server-sent event reaches the client before the script enqueues the second,
// limits cut a stream mid-body, a client that leaves cancels the sandbox's
// stream, and the execution row is written when the stream ends.
import { expect, test } from "bun:test";
import { eachDriver, startPicloud } from "../support/picloud.ts";
import { SSE_SOURCE as SSE } from "../support/sse-script.ts";
import { createScript, waitFor } from "./exec-helpers.ts";

const dec = new TextDecoder();


eachDriver((driver) => {
  // One worker: the /state call lands in the sandbox that served the stream.
  const pic = startPicloud({ driver, env: { PICLOUD_WORKERS: "1" } });

  const logRow = (id: string) =>
    waitFor(async () => {
      const res = await pic.api("GET", `/api/v1/admin/logs/${id}`);
      return res.status === 200 ? res.body : null;
    }, `log row ${id}`);

  test(`${driver}: the first event arrives before the script enqueues the second; the row is written at the end`, async () => {
    const s = await createScript(pic, "st-sse", SSE);
    const res = await fetch(`${pic.url}/api/v1/execute/${s.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const id = res.headers.get("x-picloud-execution-id")!;
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(dec.decode(first.value)).toBe('id: 0\ndata: {"n":0}\n\n');
    // The stream is still open (the script waits on its timer): no log row yet.
    expect((await pic.api("GET", `/api/v1/admin/logs/${id}`)).status).toBe(404);
    let rest = "";
    for (;;) {
      const x = await reader.read();
      if (x.done) break;
      rest += dec.decode(x.value);
    }
    expect(rest).toBe('id: 1\ndata: {"n":1}\n\nid: 2\ndata: {"n":2}\n\n');
    const row = await logRow(id);
    expect(row).toMatchObject({ status: "ok", http_status: 200, response_size: 63 });
  });

  test(`${driver}: a client that disconnects cancels the stream in the sandbox`, async () => {
    const s = await createScript(pic, "st-abort", SSE);
    const ac = new AbortController();
    const res = await fetch(`${pic.url}/api/v1/execute/${s.id}`, { signal: ac.signal });
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    await reader.closed.catch(() => {});
    const state = await waitFor(async () => {
      const r = await fetch(`${pic.url}/api/v1/execute/${s.id}/state`);
      const body = await r.json();
      return body.cancelled ? body : null;
    }, "the sandbox to see the cancel");
    expect(state.cancelled).toBe("the response stream was cancelled");
    const row = await logRow(res.headers.get("x-picloud-execution-id")!);
    expect(row).toMatchObject({ status: "ok", response_size: 21 });
  });

  test(`${driver}: passing responseBodyBytes mid-stream closes the connection; the row says why`, async () => {
    const s = await createScript(
      pic,
      "st-big",
      `export default { fetch() {
        return new Response(new ReadableStream({ async pull(c) { await new Promise((r) => setTimeout(r, 5)); c.enqueue(new Uint8Array(400)); } }));
      } };`,
      { limits: { response_body_bytes: 1000 } },
    );
    const res = await fetch(`${pic.url}/api/v1/execute/${s.id}`);
    expect(res.status).toBe(200);
    expect(await res.arrayBuffer().catch((e) => e)).toBeInstanceOf(Error);
    const row = await logRow(res.headers.get("x-picloud-execution-id")!);
    expect(row).toMatchObject({ status: "script_error", http_status: 200, response_size: 1200 });
    expect(row.error).toContain("responseBodyBytes");
  });

  test(`${driver}: the wall-clock timeout ends a stream that never closes`, async () => {
    const s = await createScript(
      pic,
      "st-slow",
      `export default { fetch() { return new Response(new ReadableStream({ start(c) { c.enqueue("first"); } })); } };`,
      { limits: { timeout_ms: 300 } },
    );
    const res = await fetch(`${pic.url}/api/v1/execute/${s.id}`);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    expect(dec.decode((await reader.read()).value)).toBe("first");
    expect(await reader.read().catch((e) => e)).toBeInstanceOf(Error);
    const row = await logRow(res.headers.get("x-picloud-execution-id")!);
    expect(row).toMatchObject({ status: "timeout", http_status: 200 });
  });

  test(`${driver}: a fixed body is unaffected`, async () => {
    const s = await createScript(pic, "st-fixed", `export default { fetch() { return new Response("fixed body"); } };`);
    const res = await fetch(`${pic.url}/api/v1/execute/${s.id}`);
    expect(res.headers.get("content-length")).toBe("10");
    expect(await res.text()).toBe("fixed body");
  });
});
