// Idle memory and start time of `picloud serve` on PGlite (issue #3/#5 targets:
// idle RSS ≤ 150 MiB, second start ≤ 1 s to a healthy /healthz).
//   bun bench/memory/run.ts [--runs 3] [--idle 5]
// 1. The real thing: `bun src/main.ts serve` spawned on a fresh data dir and then
//    again on the same dir (second start); VmRSS from /proc/<pid>/status right
//    after /healthz answers and after --idle seconds; median of --runs.
// 2. The breakdown: bench/memory/stages.ts builds the server up stage by stage
//    in one process (and PGlite alone in another) and reports RSS per stage.
// Writes bench/results/memory.json.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";

const HERE = dirname(new URL(import.meta.url).pathname);
const ROOT = join(HERE, "..", "..");
const { values } = parseArgs({ options: { runs: { type: "string", default: "3" }, idle: { type: "string", default: "5" } } });
const RUNS = Number(values.runs);
const IDLE_S = Number(values.idle);
/** Extra flags for the serving `bun` (e.g. BENCH_BUN_ARGS=--smol), to compare. */
const BUN_ARGS = (process.env.BENCH_BUN_ARGS ?? "").split(" ").filter(Boolean);
const ENV = {
  ...process.env,
  PICLOUD_HOST: "127.0.0.1",
  PICLOUD_ADMIN_USERNAME: "admin",
  PICLOUD_ADMIN_PASSWORD: "bench-password-123",
  PICLOUD_LOG_LEVEL: "warn",
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

async function procMem(pid: number) {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, "utf8").catch(() => "");
  const kb = (re: RegExp, t: string) => Number(re.exec(t)?.[1] ?? 0);
  return {
    rss_mib: round(kb(/VmRSS:\s+(\d+)/, status) / 1024),
    anon_mib: round(kb(/Anonymous:\s+(\d+)/, rollup) / 1024),
    threads: kb(/Threads:\s+(\d+)/, status),
  };
}

async function serveOnce(dataDir: string) {
  const t0 = performance.now();
  // Port 0, and the port read from the "listening on" line: a port picked in
  // advance can be taken by another process on a shared box, whose /healthz
  // would then answer for ours.
  const proc = Bun.spawn(["bun", ...BUN_ARGS, join(ROOT, "src", "main.ts"), "serve"], {
    env: { ...ENV, PORT: "0", PICLOUD_DATA_DIR: dataDir },
    stdout: "pipe",
    stderr: "inherit",
  });
  try {
    const reader = proc.stdout.getReader();
    let out = "";
    let url = "";
    while (!url) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`picloud serve exited with ${await proc.exited} before listening`);
      out += new TextDecoder().decode(value);
      url = /listening on (http:\/\/\S+)/.exec(out)?.[1] ?? "";
    }
    reader.releaseLock();
    let healthyMs = NaN;
    while (performance.now() - t0 < 60_000) {
      const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
      if (ok) {
        healthyMs = performance.now() - t0;
        break;
      }
      await Bun.sleep(10);
    }
    if (Number.isNaN(healthyMs)) throw new Error("picloud serve did not become healthy in 60 s");
    const atHealthy = await procMem(proc.pid);
    await Bun.sleep(IDLE_S * 1000);
    const idle = await procMem(proc.pid);
    return { healthy_ms: round(healthyMs, 0), rss_at_healthy_mib: atHealthy.rss_mib, idle_rss_mib: idle.rss_mib, idle_anon_mib: idle.anon_mib, idle_threads: idle.threads };
  } finally {
    proc.kill("SIGTERM");
    await proc.exited;
  }
}

function summarize(samples: Awaited<ReturnType<typeof serveOnce>>[]) {
  const pick = (k: keyof (typeof samples)[number]) => round(median(samples.map((s) => s[k])), k === "healthy_ms" ? 0 : 1);
  return {
    healthy_ms: pick("healthy_ms"),
    rss_at_healthy_mib: pick("rss_at_healthy_mib"),
    idle_rss_mib: pick("idle_rss_mib"),
    idle_anon_mib: pick("idle_anon_mib"),
    idle_threads: pick("idle_threads"),
    samples,
  };
}

async function stages(dataDir: string, mode: "pglite" | "serve") {
  const proc = Bun.spawn(["bun", join(HERE, "stages.ts"), dataDir, mode], { env: ENV, stdout: "pipe", stderr: "inherit" });
  const out = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error(`stages.ts ${mode} failed`);
  return JSON.parse(out.trim().split("\n").at(-1)!) as Record<string, number | string>[];
}

const fresh: Awaited<ReturnType<typeof serveOnce>>[] = [];
const second: Awaited<ReturnType<typeof serveOnce>>[] = [];
const dirs: string[] = [];
let breakdown: Record<string, number | string>[] = [];
let pgliteAlone: Record<string, number | string>[] = [];
try {
  // Fresh starts: each on its own empty data dir (first init: initdb + migrations + seed).
  for (let i = 0; i < RUNS; i++) {
    const dir = await mkdtemp(join(tmpdir(), "bench-memory-"));
    dirs.push(dir);
    fresh.push(await serveOnce(dir));
    console.error(`fresh  #${i + 1}: healthy ${fresh.at(-1)!.healthy_ms} ms, idle RSS ${fresh.at(-1)!.idle_rss_mib} MiB`);
  }
  for (let i = 0; i < RUNS; i++) {
    second.push(await serveOnce(dirs[0]!));
    console.error(`second #${i + 1}: healthy ${second.at(-1)!.healthy_ms} ms, idle RSS ${second.at(-1)!.idle_rss_mib} MiB`);
  }
  pgliteAlone = await stages(dirs[1] ?? dirs[0]!, "pglite");
  breakdown = await stages(dirs[0]!, "serve");
} finally {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
}

const result = {
  bench: "memory",
  date: new Date().toISOString(),
  command: `bun bench/memory/run.ts --runs ${RUNS} --idle ${IDLE_S}`,
  machine: { cpus: availableParallelism(), model: cpus()[0]?.model ?? "" },
  versions: { bun: Bun.version },
  method:
    "`bun src/main.ts serve` on PGlite, default env (PICLOUD_WORKERS = cores); VmRSS from /proc/<pid>/status at the first healthy " +
    `/healthz and after ${IDLE_S} s idle; median of ${RUNS}. Breakdown: bench/memory/stages.ts, one process built up stage by stage ` +
    "(Bun.gc + 1.5 s settle before each reading); PGlite alone in a second process.",
  fresh_start: summarize(fresh),
  second_start: summarize(second),
  breakdown: { pglite_alone: pgliteAlone, serve: breakdown },
  targets: {
    idle_rss_le_150mib: summarize(second).idle_rss_mib <= 150,
    second_start_le_1s: summarize(second).healthy_ms <= 1000,
  },
};
await writeFile(join(ROOT, "bench", "results", "memory.json"), `${JSON.stringify(result, null, 2)}\n`);

const line = (s: Record<string, number | string>) =>
  `  ${String(s.stage).padEnd(40)} ${String(s.rss_mib).padStart(6)} MiB  (anon ${s.anon_mib}, file ${s.file_mib}, threads ${s.threads})` +
  Object.entries(s)
    .filter(([k]) => !["stage", "rss_mib", "anon_mib", "file_mib", "threads"].includes(k))
    .map(([k, v]) => ` ${k}=${v}`)
    .join("");
console.log(`fresh start:  healthy ${result.fresh_start.healthy_ms} ms, RSS at healthy ${result.fresh_start.rss_at_healthy_mib} MiB, idle ${result.fresh_start.idle_rss_mib} MiB`);
console.log(`second start: healthy ${result.second_start.healthy_ms} ms, RSS at healthy ${result.second_start.rss_at_healthy_mib} MiB, idle ${result.second_start.idle_rss_mib} MiB`);
console.log("PGlite alone:");
for (const s of pgliteAlone) console.log(line(s));
console.log("serve, stage by stage (second start):");
for (const s of breakdown) console.log(line(s));
