// One process, built up stage by stage the way `picloud serve` builds itself,
// printing VmRSS (and smaps_rollup's anonymous/file split) after each stage has
// settled. Run by bench/memory/run.ts; not a test.
//   bun bench/memory/stages.ts <dataDir> <mode>   mode: pglite | serve
import { readFileSync } from "node:fs";

const [dataDir, mode = "serve"] = process.argv.slice(2);
if (!dataDir) throw new Error("usage: stages.ts <dataDir> [pglite|serve]");
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 1500);

function mem() {
  const status = readFileSync("/proc/self/status", "utf8");
  const kb = (re: RegExp, text: string) => Number(re.exec(text)?.[1] ?? 0);
  const rollup = readFileSync("/proc/self/smaps_rollup", "utf8");
  return {
    rss_mib: +(kb(/VmRSS:\s+(\d+)/, status) / 1024).toFixed(1),
    anon_mib: +(kb(/Anonymous:\s+(\d+)/, rollup) / 1024).toFixed(1),
    file_mib: +((kb(/Rss:\s+(\d+)/, rollup) - kb(/Anonymous:\s+(\d+)/, rollup)) / 1024).toFixed(1),
    threads: kb(/Threads:\s+(\d+)/, status),
  };
}

const stages: Record<string, unknown>[] = [];
async function stage(name: string, extra: Record<string, unknown> = {}) {
  Bun.gc(true);
  await Bun.sleep(SETTLE_MS);
  stages.push({ stage: name, ...mem(), ...extra });
}

await stage("bun");
const { loadConfig } = await import("../../src/config.ts");
const { silentLogger } = await import("../../src/log.ts");
const config = loadConfig({ ...process.env, PICLOUD_DATA_DIR: dataDir, PICLOUD_HOST: "127.0.0.1", PORT: "0" });

if (mode === "pglite") {
  const { openDb } = await import("../../src/db/open.ts");
  const { migrate } = await import("../../src/db/migrate.ts");
  await stage("imports (db only)");
  const db = await openDb(config, silentLogger);
  await migrate(db, silentLogger);
  await stage("pglite open + migrated");
  await db.close();
} else {
  const { startServer } = await import("../../src/serve.ts");
  await stage("imports (whole server)");
  const started = performance.now();
  const running = await startServer(config, silentLogger, { announce: false });
  const startMs = performance.now() - started;
  const stats = () => running.services.runtime.stats();
  await stage("listening (services + pool + Elysia)", { start_server_ms: Math.round(startMs), workers: stats().workers });
  await fetch(`${running.url}/api/v1/openapi.json`).then((r) => r.arrayBuffer());
  await stage("+ OpenAPI document generated");
  const index = await fetch(`${running.url}/admin/`).then((r) => r.text());
  for (const m of index.matchAll(/(?:src|href)="(\/admin\/assets\/[^"]+)"/g)) await fetch(`${running.url}${m[1]}`).then((r) => r.arrayBuffer());
  await stage("+ dashboard served");
  const hello = () => fetch(`${running.url}/hello`, { headers: { host: "localhost" } }).then((r) => r.text());
  const t0 = performance.now();
  await hello();
  const firstMs = performance.now() - t0;
  const t1 = performance.now();
  await hello();
  const secondMs = performance.now() - t1;
  await stage("+ first invocation", { first_request_ms: +firstMs.toFixed(1), second_request_ms: +secondMs.toFixed(1), workers: stats().workers });
  await Promise.all(Array.from({ length: 64 }, hello));
  await Promise.all(Array.from({ length: 64 }, hello));
  await stage("+ 64 concurrent invocations", { workers: stats().workers });
  await running.stop();
}
process.stdout.write(`${JSON.stringify(stages)}\n`);
process.exit(0);
