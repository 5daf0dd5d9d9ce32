// Shim layer costs (DESIGN §2 budget), in-process, median of several runs:
//   bun bench/runtime/shims.ts [quickjs-ng|quickjs]
// - install: installShims on a fresh context (ms) and the context's extra heap (KB)
// - hot path: toRequest + a hello-world handler + fromResponse on a warm context (µs)
// - a JSON handler that reads a header and the URL (µs)
import { loadQuickJS, type QuickJSVariantName } from "../../src/runtime/quickjs.ts";
import { installShims } from "../../src/runtime/worker/shims/index.ts";

const variant = (process.argv[2] ?? "quickjs-ng") as QuickJSVariantName;
const module = await loadQuickJS(variant);
const host = { fetch: async () => ({ status: 200, statusText: "OK", headers: [] as [string, string][], body: null }) };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const heapBytes = (rt: ReturnType<typeof module.newRuntime>) => {
  const h = rt.computeMemoryUsage();
  const usage = rt.context!.dump(h) as { malloc_size: number } | undefined;
  h.dispose();
  return usage?.malloc_size ?? 0;
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
  const before = heapBytes(Object.assign(rt, { context: ctx }));
  t = performance.now();
  const bridge = installShims(ctx, host);
  installs.push(performance.now() - t);
  heap.push(heapBytes(rt) - before);
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
    const t = performance.now();
    for (let i = 0; i < n; i++) {
      const req = bridge.toRequest(wire);
      const res = ctx.unwrapResult(ctx.callFunction(fn, ctx.undefined, req));
      req.dispose();
      await bridge.fromResponse(res);
      res.dispose();
    }
    runs.push(((performance.now() - t) * 1000) / n);
  }
  fn.dispose();
  return median(runs.slice(2));
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
  installShimsHeapKB: +(median(heap) / 1024).toFixed(1),
  helloWorldUs: +hello.toFixed(2),
  asyncHelloWorldUs: +asyncHello.toFixed(2),
  jsonUrlHeaderUs: +json.toFixed(2),
}, null, 2));
