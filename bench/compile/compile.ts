// Save-time compile cost (src/runtime/compile.ts): median over repeated runs.
// Run: bun bench/compile/compile.ts
import { compileScript } from "../../src/runtime/compile.ts";

const js = `export default {\n  async fetch(request, ctx) {\n    return Response.json({ hello: ctx.params.name ?? "world" });\n  },\n};\n`;
const tsBlock = (i: number) => `
interface Item${i} { id: string; n: number; tags?: string[] }
function total${i}(items: Item${i}[]): number {
  let sum = 0;
  for (const it of items) sum += it.n as number;
  return sum;
}
`;
const ts = (blocks: number) =>
  Array.from({ length: blocks }, (_, i) => tsBlock(i)).join("") +
  `export default {\n  async fetch(request: Request): Promise<Response> {\n    return Response.json({ t: total0([]) });\n  },\n};\n`;

async function measure(name: string, source: string, runs: number) {
  await compileScript(source); // warm: WASM module load, JIT
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = await compileScript(source);
    times.push(performance.now() - t);
    if (!r.ok) throw new Error(`${name}: ${JSON.stringify(r.errors)}`);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(`${name.padEnd(32)} ${String(source.split("\n").length).padStart(6)} lines  median ${median.toFixed(3)} ms  p90 ${times[Math.floor(times.length * 0.9)]!.toFixed(3)} ms`);
}

const t0 = performance.now();
await compileScript(js);
console.log(`first compile (loads QuickJS WASM): ${(performance.now() - t0).toFixed(1)} ms`);
await measure("hello world (JS, kept verbatim)", js, 200);
await measure("TypeScript, ~60 lines", ts(8), 200);
await measure("TypeScript, ~2000 lines", ts(280), 50);
