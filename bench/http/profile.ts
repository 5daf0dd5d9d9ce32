// Where a data-plane request's CPU goes, in-process (no wrk): the runtime's
// invoke alone, the data plane's handler without a socket, and both with the
// log writer. `bun bench/http/profile.ts [n]`. Numbers only; no assertions.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { createDataPlane } from "../../src/http/data-plane/index.ts";
import { silentLogger } from "../../src/log.ts";
import { startServer } from "../../src/serve.ts";
import { HELLO } from "./peers/picloud-scripts.ts";

const N = Number(process.argv[2] ?? 5000);
const dir = await mkdtemp(join(tmpdir(), "bench-profile-"));
const config = loadConfig({
  PORT: "0", PICLOUD_HOST: "127.0.0.1", PICLOUD_DATA_DIR: dir, PICLOUD_ADMIN_USERNAME: "admin",
  PICLOUD_ADMIN_PASSWORD: "bench-password-123", PICLOUD_MAX_CONCURRENT_EXECUTIONS: "256",
});
const running = await startServer(config, silentLogger);
const s = running.services;
const token = (await (await fetch(`http://127.0.0.1:${running.port}/api/v1/admin/auth/login`, {
  method: "POST", body: JSON.stringify({ username: "admin", password: "bench-password-123" }), headers: { "content-type": "application/json" },
})).json()).token;
const created = await (await fetch(`http://127.0.0.1:${running.port}/api/v1/admin/scripts`, {
  method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
  body: JSON.stringify({ app_id: s.seeded!.app.id, name: "p-hello", source: HELLO }),
})).json();
const script = (await s.scriptCache.get(created.id))!;

async function measure(label: string, conc: number, fn: () => Promise<unknown>) {
  for (let i = 0; i < 200; i++) await fn();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let left = N;
  await Promise.all(Array.from({ length: conc }, async () => { while (left-- > 0) await fn(); }));
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  console.log(`${label.padEnd(40)} c=${String(conc).padEnd(3)} ${((cpu.user + cpu.system) / N).toFixed(1)} µs CPU/req  ${((wall * 1000) / N).toFixed(1)} µs wall/req`);
}

const ctx = { executionId: "x", requestId: "x", rootExecutionId: "x", triggerDepth: 0, params: {}, rest: null, query: {}, principal: null };
const input = { kind: "http" as const, method: "GET", url: "http://localhost/p", headers: [["host", "localhost"]] as [string, string][], body: null };
const dp = createDataPlane({ ...s, scripts: s.scriptCache });
const url = `http://127.0.0.1:${running.port}/api/v1/execute/${created.id}`;
for (const c of [1, 16]) {
  await measure("runtime.invoke", c, () => s.runtime.invoke(script.spec, input, ctx));
  await measure("invoker.invoke (+ log record)", c, () => s.invoker.invoke(script, { input, params: {}, rest: null, query: {}, principal: null }));
  await measure("dataPlane.handle (no socket)", c, async () => (await dp.handle(new Request(url))!).arrayBuffer());
  await measure("fetch over loopback (client in-process)", c, async () => (await fetch(url)).arrayBuffer());
}
await running.stop();
await rm(dir, { recursive: true, force: true });
