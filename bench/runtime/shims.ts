// Shim layer costs (DESIGN §2 budget), in-process, median of several runs:
//   bun bench/runtime/shims.ts [quickjs-ng|quickjs]
// - install: installShims on a fresh context (CPU ms) and the context's extra heap (KB)
// - hot path: toRequest + a hello-world handler + fromResponse on a warm context (CPU µs, best of 5 runs)
// - a JSON handler that reads a header and the URL (µs)
import { loadQuickJS, type QuickJSVariantName } from "../../src/runtime/quickjs.ts";
import { installShims } from "../../src/runtime/worker/shims/index.ts";

const variant = (process.argv[2] ?? "quickjs-ng") as QuickJSVariantName;
const module = await loadQuickJS(variant);
const host = { fetch: async () => ({ status: 200, statusText: "OK", headers: [] as [string, string][], body: null }) };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
// On a shared box the minimum is the closest to the cost on an idle core; both are reported.
const min = (xs: number[]) => Math.min(...xs);
/** CPU time (µs) of the process: steadier than wall time on a shared box. */
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const heapBytes = (rt: ReturnType<typeof module.newRuntime>, ctx: ReturnType<ReturnType<typeof module.newRuntime>["newContext"]>) => {
  const h = rt.computeMemoryUsage();
  const usage = ctx.dump(h) as { memory_used_size: number } | undefined;
  h.dispose();
  return usage?.memory_used_size ?? 0;
};

// Fresh-context install cost.
const installs: number[] = [];
const plain: number[] = [];
const heap: number[] = [];
for (let i = 0; i < 60; i++) {
  const rt = module.newRuntime();
  let t = performance.now();
  const ctx = rt.newContext();
  plain.push(performance.now() - t);
  const before = heapBytes(rt, ctx);
  t = cpu();
  const bridge = installShims(ctx, host);
  installs.push((cpu() - t) / 1000);
  heap.push(heapBytes(rt, ctx) - before);
  bridge.dispose();
  ctx.dispose();
  rt.dispose();
}

// A fresh context through its first hello-world response, and the heap once every lazy module is loaded.
const firstResponse: number[] = [];
const allLoaded: number[] = [];
for (let i = 0; i < 30; i++) {
  const rt = module.newRuntime();
  const ctx = rt.newContext();
  const base = heapBytes(rt, ctx);
  const t = performance.now();
  const bridge = installShims(ctx, host);
  const fn = ctx.unwrapResult(ctx.evalCode(`(req) => new Response("hello " + req.headers.get("host"))`));
  const req = bridge.toRequest({ method: "GET", url: "https://example.com/", headers: [["host", "example.com"]], body: null });
  const res = ctx.unwrapResult(ctx.callFunction(fn, ctx.undefined, req));
  await bridge.fromResponse(res);
  firstResponse.push(performance.now() - t);
  for (const h of [fn, req, res]) h.dispose();
  const all = ctx.unwrapResult(ctx.evalCode(`[Request, Headers, URL, URLPattern, TextEncoder, crypto.subtle, structuredClone, AbortController, Blob, FormData, ReadableStream, fetch].length`));
  all.dispose();
  allLoaded.push(heapBytes(rt, ctx) - base);
  bridge.dispose();
  ctx.dispose();
  rt.dispose();
}

// Warm hot path.
const rt = module.newRuntime();
const ctx = rt.newContext();
const bridge = installShims(ctx, host);
const wire = { method: "GET", url: "https://example.com/hello?name=pi", headers: [["host", "example.com"], ["accept", "*/*"], ["user-agent", "bench"]] as [string, string][], body: null };
async function measure(handlerSrc: string, n = 20000) {
  const fn = ctx.unwrapResult(ctx.evalCode(handlerSrc));
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t = cpu();
    for (let i = 0; i < n; i++) {
      const req = bridge.toRequest(wire);
      const res = ctx.unwrapResult(ctx.callFunction(fn, ctx.undefined, req));
      req.dispose();
      await bridge.fromResponse(res);
      res.dispose();
    }
    runs.push((cpu() - t) / n);
  }
  fn.dispose();
  return min(runs.slice(2));
}
const hello = await measure(`(req) => new Response("hello world")`);
const json = await measure(`(req) => Response.json({ hello: new URL(req.url).searchParams.get("name"), ua: req.headers.get("user-agent") })`);
const asyncHello = await measure(`(async (req) => new Response("hello world"))`);
bridge.dispose();
ctx.dispose();
rt.dispose();

console.log(JSON.stringify({
  variant,
  newContextMs: +median(plain).toFixed(3),
  installShimsMs: +median(installs).toFixed(3),
  installShimsMinMs: +min(installs).toFixed(3),
  installShimsHeapKB: +(median(heap) / 1024).toFixed(1),
  installToFirstResponseMs: +median(firstResponse).toFixed(3),
  installToFirstResponseMinMs: +min(firstResponse).toFixed(3),
  allModulesHeapKB: +(median(allLoaded) / 1024).toFixed(1),
  helloWorldUs: +hello.toFixed(2),
  asyncHelloWorldUs: +asyncHello.toFixed(2),
  jsonUrlHeaderUs: +json.toFixed(2),
}, null, 2));
