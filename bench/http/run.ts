// bench/http: PiCloud's data plane side by side with native Bun.serve, Deno
// (`deno serve`) and workerd serving the same hello-world and JSON-echo
// handlers, loaded by wrk on loopback.
//
//   bun bench/http/run.ts [--duration 5] [--warmup 1] [--runs 3] [--conns 1,64] [--only picloud,bun,deno,workerd]
//
// Needs: wrk (Debian `apt-get install -y wrk`); peers from `cd bench/http && bun install`
// (npm packages `deno` and `workerd`; both run offline once installed).
// Writes bench/results/http.json and prints a table. Server CPU per request is
// the server process's utime+stime delta over the run (all its threads) divided
// by the requests wrk completed: wrk shares the two cores, so this is the
// fairer figure than req/s alone.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ECHO, HELLO } from "./peers/picloud-scripts.ts";

const ROOT = join(import.meta.dir, "..", "..");
const HERE = import.meta.dir;
const PEERS = join(HERE, "node_modules");
const ECHO_BODY = JSON.stringify({ hello: "world", items: [1, 2, 3], nested: { ok: true, name: "picloud" } });
const CLK_TCK = 100; // getconf CLK_TCK on Linux
const ADMIN = { username: "admin", password: "bench-password-123" };

const { values: args } = parseArgs({
  options: {
    duration: { type: "string", default: "5" },
    /** Seconds of load before the measured runs of each case (JIT and WASM tier-up, warm sandboxes). */
    warmup: { type: "string", default: "1" },
    runs: { type: "string", default: "3" },
    conns: { type: "string", default: "1,64" },
    only: { type: "string", default: "picloud,bun,deno,workerd" },
    out: { type: "string", default: join(ROOT, "bench", "results", "http.json") },
  },
});
const DURATION = Number(args.duration);
const WARMUP = Number(args.warmup);
const RUNS = Number(args.runs);
const CONNS = args.conns!.split(",").map(Number);
const ONLY = new Set(args.only!.split(","));

interface Started {
  pid: number;
  port: number;
  stop(): Promise<void>;
}
interface Target {
  name: string;
  start(): Promise<Started>;
}

async function freePort(): Promise<number> {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

/** Polls `url` every 5 ms until it answers below 500; gives up after `timeoutMs` (a first PGlite init on a busy Pi-sized box can take a minute). */
async function waitHttp(url: string, init: RequestInit = {}, timeoutMs = 10_000): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    try {
      const r = await fetch(url, init);
      await r.arrayBuffer();
      if (r.status < 500) return performance.now() - t0;
    } catch {}
    await Bun.sleep(5);
  }
  throw new Error(`${url} never answered`);
}

function spawn(cmd: string[], env: Record<string, string> = {}, cwd = ROOT) {
  return Bun.spawn(cmd, { cwd, env: { ...process.env, ...env }, stdout: "ignore", stderr: "pipe" });
}

async function kill(proc: ReturnType<typeof Bun.spawn>) {
  proc.kill("SIGTERM");
  const t = setTimeout(() => proc.kill("SIGKILL"), 3000);
  await proc.exited;
  clearTimeout(t);
}

/** A peer running as a child process; stopping it also removes its scratch directory. */
function processPeer(proc: ReturnType<typeof Bun.spawn>, port: number, scratchDir?: string) {
  return {
    pid: proc.pid,
    port,
    stop: async () => {
      await kill(proc);
      if (scratchDir) await rm(scratchDir, { recursive: true, force: true });
    },
  };
}

const bunNative: Target = {
  name: "bun",
  async start() {
    const port = await freePort();
    const proc = spawn(["bun", join(HERE, "peers", "bun-native.ts"), String(port)]);
    await waitHttp(`http://127.0.0.1:${port}/hello`);
    return processPeer(proc, port);
  },
};

const deno: Target = {
  name: "deno",
  async start() {
    const port = await freePort();
    const denoDir = await mkdtemp(join(tmpdir(), "bench-deno-"));
    const bin = join(PEERS, "@deno", "linux-x64-glibc", "deno");
    const proc = spawn([bin, "serve", "--quiet", "--no-check", "--host", "127.0.0.1", "--port", String(port), join(HERE, "peers", "handler.js")], {
      DENO_DIR: denoDir,
      DENO_NO_UPDATE_CHECK: "1",
      NO_COLOR: "1",
    });
    await waitHttp(`http://127.0.0.1:${port}/hello`);
    return processPeer(proc, port, denoDir);
  },
};

const workerd: Target = {
  name: "workerd",
  async start() {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), "bench-workerd-"));
    await Bun.write(join(dir, "worker.js"), await Bun.file(join(HERE, "peers", "handler.js")).text());
    await writeFile(
      join(dir, "config.capnp"),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "worker.js") ],
  compatibilityDate = "2024-09-23",
);
`,
    );
    const bin = join(PEERS, "@cloudflare", "workerd-linux-64", "bin", "workerd");
    const proc = spawn([bin, "serve", join(dir, "config.capnp")], {}, dir);
    await waitHttp(`http://127.0.0.1:${port}/hello`);
    return processPeer(proc, port, dir);
  },
};

async function startPicloudProcess(dataDir: string, port: number) {
  const t0 = performance.now();
  const proc = spawn(["bun", join(ROOT, "src", "main.ts"), "serve"], {
    PORT: String(port),
    PICLOUD_HOST: "127.0.0.1",
    PICLOUD_DATA_DIR: dataDir,
    PICLOUD_ADMIN_USERNAME: ADMIN.username,
    PICLOUD_ADMIN_PASSWORD: ADMIN.password,
    PICLOUD_LOG_LEVEL: "warn",
    // 64 connections against the default gate of 32 would measure load shedding, not the data plane.
    PICLOUD_MAX_CONCURRENT_EXECUTIONS: "256",
  });
  await waitHttp(`http://127.0.0.1:${port}/healthz`, {}, 180_000);
  return { proc, startMs: performance.now() - t0 };
}

async function api(port: number, method: string, path: string, body?: unknown, token?: string) {
  const r = await fetch(`http://127.0.0.1:${port}/api/v1/admin${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await r.json().catch(() => null)) as Record<string, unknown> | null;
  if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(json)}`);
  return json as Record<string, string>;
}

/** App `bench` claiming 127.0.0.1, scripts bench-hello (GET /hello) and bench-echo (POST /echo). */
async function setupPicloud(port: number) {
  const { token } = await api(port, "POST", "/auth/login", ADMIN);
  const app = await api(port, "POST", "/apps", { slug: "bench", name: "Bench" }, token);
  await api(port, "POST", `/apps/${app.id}/domains`, { domain: "127.0.0.1" }, token);
  const hello = await api(port, "POST", "/scripts", { app_id: app.id, name: "bench-hello", source: HELLO }, token);
  await api(port, "POST", `/scripts/${hello.id}/routes`, { method: "GET", path: "/hello" }, token);
  const echo = await api(port, "POST", "/scripts", { app_id: app.id, name: "bench-echo", source: ECHO }, token);
  await api(port, "POST", `/scripts/${echo.id}/routes`, { method: "POST", path: "/echo" }, token);
}

const picloud: Target = {
  name: "picloud",
  async start() {
    const dir = await mkdtemp(join(tmpdir(), "bench-picloud-"));
    const port = await freePort();
    const first = await startPicloudProcess(dir, port);
    try {
      await setupPicloud(port);
      const check = await fetch(`http://127.0.0.1:${port}/hello`);
      if (check.status !== 200) throw new Error(`picloud /hello → ${check.status} ${await check.text()}`);
    } catch (e) {
      await kill(first.proc);
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
    return {
      pid: first.proc.pid,
      port,
      stop: async () => {
        await kill(first.proc);
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
};

function procCpuTicks(pid: number): number {
  const stat = require("node:fs").readFileSync(`/proc/${pid}/stat`, "utf8") as string;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15 of the full line)
}

/** CPU ticks per thread group of a process: its main thread, Bun Workers (sandboxes), JIT compilers, the rest (GC, allocator). */
function threadTicks(pid: number): Record<ThreadGroup, number> {
  const fs = require("node:fs") as typeof import("node:fs");
  const out: Record<ThreadGroup, number> = { main: 0, workers: 0, jit: 0, other: 0 };
  let tids: string[] = [];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    } catch {
      continue; // the thread ended meanwhile
    }
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(f[11]) + Number(f[12]);
    const group: ThreadGroup =
      tid === String(pid) ? "main" : name === "Worker" ? "workers" : name === "JITWorker" || name === "JSCWarmUp" ? "jit" : "other";
    out[group] += ticks;
  }
  return out;
}
type ThreadGroup = "main" | "workers" | "jit" | "other";

function procRssMiB(pid: number): number {
  const status = require("node:fs").readFileSync(`/proc/${pid}/status`, "utf8") as string;
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

const toMs = (v: string, unit: string) => Number(v) * (unit === "us" ? 0.001 : unit === "ms" ? 1 : 1000);

interface WrkResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

async function wrk(url: string, conns: number, seconds: number, echo: boolean): Promise<WrkResult> {
  const cmd = ["wrk", "-t1", `-c${conns}`, `-d${seconds}s`, "--latency", "--timeout", "5s"];
  if (echo) cmd.push("-s", join(HERE, "echo.lua"));
  cmd.push(url);
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe" });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  const pct = (p: string) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    return m ? toMs(m[1]!, m[2]!) : Number.NaN;
  };
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const sockErrors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return {
    requests,
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
    p50Ms: pct("50"),
    p99Ms: pct("99"),
    errors: non2xx + sockErrors,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

interface Row {
  server: string;
  handler: "hello" | "echo";
  conns: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  cpu_us_per_req: number;
  /** The same CPU split by thread (median of runs; threads that start or end mid-run are missed). */
  cpu_us_by_thread: Record<ThreadGroup, number>;
  rss_mib: number;
  errors: number;
  runs: number;
}

async function measure(target: Target): Promise<Row[]> {
  const s = await target.start();
  const rows: Row[] = [];
  try {
    for (const handler of ["hello", "echo"] as const) {
      const url = `http://127.0.0.1:${s.port}/${handler}`;
      for (const conns of CONNS) {
        await wrk(url, conns, WARMUP, handler === "echo"); // warm-up: JIT, warm sandboxes, connection setup
        const runs: (WrkResult & { cpuUs: number; byThread: Record<ThreadGroup, number> })[] = [];
        for (let i = 0; i < RUNS; i++) {
          const before = procCpuTicks(s.pid);
          const threadsBefore = threadTicks(s.pid);
          const r = await wrk(url, conns, DURATION, handler === "echo");
          const ticks = procCpuTicks(s.pid) - before;
          const threadsAfter = threadTicks(s.pid);
          const perReq = (t: number) => (r.requests ? (t * 1e6) / CLK_TCK / r.requests : Number.NaN);
          const byThread = { main: 0, workers: 0, jit: 0, other: 0 };
          for (const g of Object.keys(byThread) as ThreadGroup[]) byThread[g] = perReq(threadsAfter[g] - threadsBefore[g]);
          runs.push({ ...r, cpuUs: perReq(ticks), byThread });
        }
        const row: Row = {
          server: target.name,
          handler,
          conns,
          rps: round(median(runs.map((r) => r.rps)), 0),
          p50_ms: round(median(runs.map((r) => r.p50Ms))),
          p99_ms: round(median(runs.map((r) => r.p99Ms))),
          cpu_us_per_req: round(median(runs.map((r) => r.cpuUs)), 1),
          cpu_us_by_thread: {
            main: round(median(runs.map((r) => r.byThread.main)), 1),
            workers: round(median(runs.map((r) => r.byThread.workers)), 1),
            jit: round(median(runs.map((r) => r.byThread.jit)), 1),
            other: round(median(runs.map((r) => r.byThread.other)), 1),
          },
          rss_mib: procRssMiB(s.pid),
          errors: runs.reduce((a, r) => a + r.errors, 0),
          runs: RUNS,
        };
        rows.push(row);
        const t = row.cpu_us_by_thread;
        console.error(
          `${row.server.padEnd(8)} ${handler.padEnd(5)} c=${String(conns).padEnd(3)} ${row.rps} req/s p50 ${row.p50_ms} ms p99 ${row.p99_ms} ms cpu ${row.cpu_us_per_req} µs/req (main ${t.main}, workers ${t.workers}, jit ${t.jit}, other ${t.other})`,
        );
      }
    }
  } finally {
    await s.stop();
  }
  return rows;
}

/** Second start on an existing PGlite data dir: spawn → healthy /healthz, then idle RSS. */
async function startup() {
  const dir = await mkdtemp(join(tmpdir(), "bench-picloud-start-"));
  try {
    const port = await freePort();
    const first = await startPicloudProcess(dir, port);
    await kill(first.proc);
    const times: number[] = [];
    let idleRss = 0;
    for (let i = 0; i < 3; i++) {
      const p = await startPicloudProcess(dir, port);
      times.push(p.startMs);
      if (i === 0) {
        await Bun.sleep(3000);
        idleRss = procRssMiB(p.proc.pid);
      }
      await kill(p.proc);
    }
    return { first_start_ms: round(first.startMs, 0), second_start_ms: round(median(times), 0), samples_ms: times.map((t) => round(t, 0)), idle_rss_mib: idleRss };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function main() {
  await writeFile(
    join(HERE, "echo.lua"),
    `wrk.method = "POST"\nwrk.body = '${ECHO_BODY}'\nwrk.headers["Content-Type"] = "application/json"\n`,
  );
  const targets = [picloud, bunNative, deno, workerd].filter((t) => ONLY.has(t.name));
  const rows: Row[] = [];
  for (const t of targets) rows.push(...(await measure(t)));
  // A failed start-up measurement must not throw away the load results above.
  const start = ONLY.has("picloud")
    ? await startup().catch((e: unknown) => ({ error: String(e instanceof Error ? e.message : e) }))
    : null;

  const find = (server: string, handler: string, conns: number) =>
    rows.find((r) => r.server === server && r.handler === handler && r.conns === conns);
  const withRatios = rows.map((r) => {
    const base = find("bun", r.handler, r.conns);
    return {
      ...r,
      rps_vs_bun: base ? round(r.rps / base.rps, 2) : null,
      cpu_vs_bun: base ? round(r.cpu_us_per_req / base.cpu_us_per_req, 2) : null,
      p50_over_bun_ms: base ? round(r.p50_ms - base.p50_ms) : null,
    };
  });

  const pc = (h: string, c: number) => find("picloud", h, c);
  const wd = (h: string, c: number) => find("workerd", h, c);
  const bn = (h: string, c: number) => find("bun", h, c);
  const maxConns = Math.max(...CONNS);
  const targetsMet = {
    cpu_us_per_hello_le_30: pc("hello", maxConns) ? pc("hello", maxConns)!.cpu_us_per_req <= 30 : null,
    rps_ge_1_5x_workerd: pc("hello", maxConns) && wd("hello", maxConns) ? pc("hello", maxConns)!.rps >= 1.5 * wd("hello", maxConns)!.rps : null,
    p99_le_5ms_at_64: pc("hello", 64) ? pc("hello", 64)!.p99_ms <= 5 : null,
    p50_overhead_le_0_3ms_at_1: pc("hello", 1) && bn("hello", 1) ? pc("hello", 1)!.p50_ms - bn("hello", 1)!.p50_ms <= 0.3 : null,
    start_le_1s: start && !("error" in start) ? start.second_start_ms <= 1000 : null,
    idle_rss_le_150mib: start && !("error" in start) ? start.idle_rss_mib <= 150 : null,
  };

  const result = {
    bench: "http",
    date: new Date().toISOString(),
    command: `bun bench/http/run.ts --duration ${DURATION} --warmup ${WARMUP} --runs ${RUNS} --conns ${CONNS.join(",")}`,
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "?" },
    versions: { bun: Bun.version },
    method: `wrk -t1 on loopback; warm-up ${WARMUP} s, then median of runs; CPU = server utime+stime delta ÷ requests, also split by thread (/proc/<pid>/task); RSS after the runs`,
    results: withRatios,
    startup: start,
    targets: targetsMet,
  };
  await writeFile(args.out!, `${JSON.stringify(result, null, 2)}\n`);

  console.log(
    ["server", "handler", "conns", "req/s", "p50 ms", "p99 ms", "cpu µs/req", "RSS MiB", "req/s÷bun", "cpu÷bun", "errors"].join("\t"),
  );
  for (const r of withRatios) {
    console.log(
      [r.server, r.handler, r.conns, r.rps, r.p50_ms, r.p99_ms, r.cpu_us_per_req, r.rss_mib, r.rps_vs_bun, r.cpu_vs_bun, r.errors].join("\t"),
    );
  }
  if (start && "error" in start) console.log(`picloud start-up not measured: ${start.error}`);
  else if (start) console.log(`picloud start (2nd, PGlite): ${start.second_start_ms} ms; first init ${start.first_start_ms} ms; idle RSS ${start.idle_rss_mib} MiB`);
  console.log("targets:", JSON.stringify(targetsMet));
  console.log(`wrote ${args.out}`);
}

await main();
