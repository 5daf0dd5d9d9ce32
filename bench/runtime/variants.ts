// quickjs vs quickjs-ng, interleaved so a noisy machine treats both alike:
// `bun bench/runtime/variants.ts`. Warm call and fresh runtime, in-process.
import { loadConfig } from "../../src/config.ts";
import { loadQuickJS, type QuickJSVariantName } from "../../src/runtime/quickjs.ts";
import { createConsoleBuffer } from "../../src/runtime/worker/console.ts";
import { createSandbox, createShell, type Invocation, type Sandbox } from "../../src/runtime/worker/sandbox.ts";
import { installShims } from "../../src/runtime/worker/shims/index.ts";

const limits = loadConfig({}).runtime.defaults;
const HELLO = `export default { async fetch(req, ctx) { return Response.json({ hello: ctx.params.name ?? "world", path: new URL(req.url).pathname }); } }`;
const wire = { method: "GET", url: "http://localhost/hello", headers: [["accept", "*/*"]] as [string, string][], body: null };
const ctxJson = JSON.stringify({ params: {} });
let id = 1;
const inv = (): Invocation => {
  const started = performance.now();
  return { id: id++, limits, started, deadline: started + 30_000, cpuUsed: 0, console: createConsoleBuffer(1024), interrupted: null, hasTail: false, timers: new Map() };
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const names: QuickJSVariantName[] = ["quickjs-ng", "quickjs"];
const sandboxes = new Map<QuickJSVariantName, { deps: Parameters<typeof createShell>[0]; sb: Sandbox }>();
for (const v of names) {
  const deps = { qjs: await loadQuickJS(v), installShims, fetch: () => Promise.reject(new Error("none")), fatal: () => {} };
  sandboxes.set(v, { deps, sb: await createSandbox(deps, v, { name: "h", code: HELLO, bundle: null }, limits, inv()) });
}
const warm: Record<string, number[]> = { "quickjs-ng": [], quickjs: [] };
const fresh: Record<string, number[]> = { "quickjs-ng": [], quickjs: [] };
for (let round = 0; round < 12; round++) {
  for (const v of round % 2 ? names : [...names].reverse()) {
    const { deps, sb } = sandboxes.get(v)!;
    let t = performance.now();
    for (let i = 0; i < 400; i++) {
      const x = inv();
      await sb.http(x, wire, ctxJson);
      sb.end(x);
    }
    warm[v]!.push(((performance.now() - t) / 400) * 1000);
    t = performance.now();
    for (let i = 0; i < 5; i++) {
      const s = await createShell(deps).load(`f${i}`, { name: "h", code: HELLO, bundle: null }, limits, inv());
      const x = inv();
      await s.http(x, wire, ctxJson);
      s.end(x);
      s.retire();
    }
    fresh[v]!.push((performance.now() - t) / 5);
  }
}
for (const v of names) console.log(`${v.padEnd(10)} warm ${median(warm[v]!).toFixed(1)} µs   fresh ${median(fresh[v]!).toFixed(2)} ms`);
