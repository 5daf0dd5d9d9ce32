// Cost of the batched execution-log writer per row on PGlite (or PostgreSQL
// with DATABASE_URL): `bun bench/http/log-writer.ts [rows]`. Numbers only.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate } from "../../src/db/migrate.ts";
import { openDb } from "../../src/db/open.ts";
import { insertExecutions, type ExecutionRow } from "../../src/db/queries/executions.ts";
import { silentLogger as log } from "../../src/log.ts";

const ROWS = Number(process.argv[2] ?? 20000);
const dir = await mkdtemp(join(tmpdir(), "bench-logw-"));
const db = await openDb({ databaseUrl: process.env.DATABASE_URL, dataDir: dir, pglite: { sharedBuffers: "16MB", workMem: "2MB" } }, log);
await migrate(db, log);
const app = crypto.randomUUID();
const script = crypto.randomUUID();
const row = (): ExecutionRow => {
  const id = crypto.randomUUID();
  return {
    id, app_id: app, script_id: script, script_version: 1, trigger_kind: "http", status: "ok", http_status: 200,
    duration_ms: 0.4, cpu_ms: 0.1, request_method: "GET", request_url: "http://localhost/hello", request_size: 0,
    response_size: 13, console: [{ level: "log", ts: Date.now(), message: "hello" }], console_truncated: false,
    error: null, stack: null, root_execution_id: id, trigger_depth: 0, created_at: new Date().toISOString(),
  };
};
for (const batch of [50, 500, 2000]) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let n = 0; n < ROWS; n += batch) await insertExecutions(db, Array.from({ length: batch }, row));
  const cpu = process.cpuUsage(cpu0);
  console.log(`${db.driver} batch ${batch}: ${((cpu.user + cpu.system) / ROWS).toFixed(1)} µs CPU/row, ${(((performance.now() - t0) * 1000) / ROWS).toFixed(1)} µs wall/row`);
}
await db.close();
await rm(dir, { recursive: true, force: true });
