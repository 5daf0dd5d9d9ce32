// One streaming script for the runtime and data-plane streaming suites: three
// server-sent events with a timer wait before the 2nd and 3rd, and a `/state`
// path (any path ending in it, so it also works behind a route prefix) that
// reports whether a stream was cancelled and why.
export const SSE_SOURCE = `export default { fetch(req) {
  if (new URL(req.url).pathname.endsWith("/state")) return Response.json({ cancelled: globalThis.cancelled ?? null });
  let n = 0;
  return new Response(new ReadableStream({
    async pull(c) {
      if (n > 0) await new Promise((r) => setTimeout(r, 200));
      c.enqueue(new TextEncoder().encode("id: " + n + "\\ndata: {\\"n\\":" + n + "}\\n\\n"));
      if (++n === 3) c.close();
    },
    cancel(reason) { globalThis.cancelled = String(reason); },
  }), { headers: { "content-type": "text/event-stream" } });
} };`;
