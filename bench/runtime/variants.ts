// quickjs vs quickjs-ng, interleaved so a noisy machine treats both alike:
// `bun bench/runtime/variants.ts [rounds=12]`. Warm call and fresh runtime of a
// shim-heavy handler, plus plain compute, in-process. Writes bench/results/runtime-variants.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
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
const warmCpu: Record<string, number[]> = { "quickjs-ng": [], quickjs: [] };
const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const ROUNDS = Number(process.argv[2] ?? 12);
const fresh: Record<string, number[]> = { "quickjs-ng": [], quickjs: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const v of round % 2 ? names : [...names].reverse()) {
    const { deps, sb } = sandboxes.get(v)!;
    let t = performance.now();
    const c = cpu();
    for (let i = 0; i < 400; i++) {
      const x = inv();
      await sb.http(x, wire, ctxJson);
      sb.end(x);
    }
    warm[v]!.push(((performance.now() - t) / 400) * 1000);
    warmCpu[v]!.push((cpu() - c) / 400);
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
for (const v of names) {
  console.log(`${v.padEnd(10)} warm ${median(warm[v]!).toFixed(1)} µs (CPU ${median(warmCpu[v]!).toFixed(1)} µs)   fresh ${median(fresh[v]!).toFixed(2)} ms`);
}

// Plain compute: what a script does between Web API calls.
const COMPUTE: Record<string, string> = {
  loop: `let s = 0; for (let i = 0; i < 200000; i++) s += i % 7; s`,
  json: `let o = { a: [1, 2, 3], b: "hello", c: { d: true, e: null } }; let n = 0; for (let i = 0; i < 3000; i++) n += JSON.parse(JSON.stringify(o)).a.length; n`,
  map: `const m = new Map(); for (let i = 0; i < 20000; i++) m.set("k" + i, { i }); let t = 0; for (const [, v] of m) t += v.i; t`,
};
const compute: Record<string, Record<string, number[]>> = {};
for (let round = 0; round < 8; round++) {
  for (const v of round % 2 ? names : [...names].reverse()) {
    const rt = sandboxes.get(v)!.deps.qjs.newRuntime();
    const ctx = rt.newContext();
    for (const [name, code] of Object.entries(COMPUTE)) {
      const t = performance.now();
      ctx.evalCode(code).dispose();
      ((compute[name] ??= {})[v] ??= []).push(performance.now() - t);
    }
    ctx.dispose();
    rt.dispose();
  }
}
for (const [name, r] of Object.entries(compute)) {
  console.log(`compute ${name.padEnd(5)} ${names.map((v) => `${v} ${median(r[v]!).toFixed(2)} ms`).join("   ")}`);
}
mkdirSync(new URL("../results/", import.meta.url), { recursive: true });
writeFileSync(
  new URL("../results/runtime-variants.json", import.meta.url),
  `${JSON.stringify({
    date: new Date().toISOString(),
    loadAverage: loadavg(),
    rounds: ROUNDS,
    warmUs: Object.fromEntries(names.map((v) => [v, median(warm[v]!)])),
    warmCpuUs: Object.fromEntries(names.map((v) => [v, median(warmCpu[v]!)])),
    freshMs: Object.fromEntries(names.map((v) => [v, median(fresh[v]!)])),
    computeMs: Object.fromEntries(Object.entries(compute).map(([k, r]) => [k, Object.fromEntries(names.map((v) => [v, median(r[v]!)]))])),
  }, null, 2)}\n`,
);
