// Binary numbers: size, exec → healthy (first start creates the database, the
// second reuses it), idle RSS — for each built binary, arm64 under qemu
// (labelled emulated), beside bare Bun serving a hello world the same way.
//   bun run build && bun bench/binary/run.ts [--runs 3] [--no-arm64 | --arm64-only]
// Writes bench/results/binary.json (rows of the same name are replaced). About a
// minute for x64; the emulated arm64 first start alone takes 20 s to minutes.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const ROOT = resolve(import.meta.dir, "../..");
const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    runs: { type: "string", default: "3" },
    "no-arm64": { type: "boolean", default: false },
    /** Only the emulated arm64 rows (minutes on a busy box); other rows already in the file are kept. */
    "arm64-only": { type: "boolean", default: false },
  },
});
const RUNS = Math.max(1, Number(values.runs));
const QEMU = ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"];
const hasQemu = Bun.spawnSync(["sh", "-c", "command -v qemu-aarch64"]).exitCode === 0 && existsSync("/usr/aarch64-linux-gnu");

interface Subject {
  name: string;
  emulated: boolean;
  /** argv for a process that serves /healthz on PORT. */
  command: (dataDir: string) => string[];
  binary?: string;
}

async function freePort(): Promise<number> {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = server.port!;
  await server.stop(true);
  return port;
}

/** /proc/<pid>/status VmRSS in MiB (qemu's own memory included when emulated). */
function rssMiB(pid: number): number | null {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Math.round((Number(kb) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

/** Starts the subject, polls /healthz; returns ms to the first `ok` and the idle RSS after it settles. */
async function startOnce(subject: Subject, dataDir: string, measureRss: boolean) {
  const port = await freePort();
  const cwd = mkdtempSync(join(tmpdir(), "picloud-bench-cwd-")); // an empty directory: no node_modules
  const started = performance.now();
  const proc = Bun.spawn(subject.command(dataDir), {
    cwd,
    env: {
      PATH: Bun.env.PATH ?? "/usr/bin:/bin",
      HOME: cwd,
      PORT: String(port),
      PICLOUD_HOST: "127.0.0.1",
      PICLOUD_DATA_DIR: dataDir,
      PICLOUD_ADMIN_USERNAME: "admin",
      PICLOUD_ADMIN_PASSWORD: "bench-password-123",
      PICLOUD_LOG_LEVEL: "warn",
    },
    stdout: "ignore",
    stderr: "pipe",
  });
  const deadline = started + (subject.emulated ? 240_000 : 60_000);
  let healthyMs: number | null = null;
  while (performance.now() < deadline && proc.exitCode === null) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok && (await res.text()).trim() === "ok") {
        healthyMs = performance.now() - started;
        break;
      }
    } catch {}
    await Bun.sleep(20);
  }
  let rss: number | null = null;
  if (healthyMs !== null && measureRss) {
    await Bun.sleep(3000); // let start-up garbage be collected and workers settle
    rss = rssMiB(proc.pid);
  }
  proc.kill("SIGTERM");
  const exited = await Promise.race([proc.exited, Bun.sleep(20_000).then(() => null)]);
  if (exited === null) proc.kill("SIGKILL");
  rmSync(cwd, { recursive: true, force: true });
  if (healthyMs === null) {
    const err = await new Response(proc.stderr).text().catch(() => "");
    throw new Error(`${subject.name} never became healthy:\n${err.slice(-2000)}`);
  }
  return { healthyMs: Math.round(healthyMs), rss };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(subject: Subject) {
  const dataDir = mkdtempSync(join(tmpdir(), "picloud-bench-data-"));
  const loadBefore = Math.round(loadavg()[0]! * 100) / 100;
  try {
    const first = await startOnce(subject, dataDir, false);
    const later: number[] = [];
    let rss: number | null = null;
    const runs = subject.emulated ? 1 : RUNS;
    for (let i = 0; i < runs; i++) {
      const r = await startOnce(subject, dataDir, i === runs - 1);
      later.push(r.healthyMs);
      rss = r.rss ?? rss;
    }
    const result = {
      name: subject.name,
      emulated: subject.emulated,
      measured_at: new Date().toISOString(),
      // A shared box: start-up times scale with what else runs, so each row says how busy it was.
      loadavg_1m_before: loadBefore,
      size_mib: subject.binary ? Math.round((statSync(subject.binary).size / 1024 / 1024) * 10) / 10 : null,
      first_start_to_healthy_ms: first.healthyMs,
      second_start_to_healthy_ms: median(later),
      second_start_runs: later.length,
      idle_rss_mib: rss,
    };
    console.log(JSON.stringify(result));
    return result;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const hello = join(tmpdir(), `picloud-bench-hello-${process.pid}.ts`);
writeFileSync(
  hello,
  'Bun.serve({ port: Number(process.env.PORT), hostname: "127.0.0.1", fetch: () => new Response("ok") });\n',
);
const armBun = join(homedir(), ".cache", "picloud-build", `@oven+bun-linux-aarch64-${Bun.version}`, "package", "bin", "bun");

const subjects: Subject[] = [];
const x64 = join(ROOT, "dist", "picloud-linux-x64");
const arm64 = join(ROOT, "dist", "picloud-linux-arm64");
if (!values["arm64-only"]) {
  if (existsSync(x64)) subjects.push({ name: "picloud-linux-x64", emulated: false, binary: x64, command: () => [x64, "serve"] });
  else console.warn("dist/picloud-linux-x64 missing: run `bun run build`");
  subjects.push({ name: "bun hello world (x64)", emulated: false, command: () => [process.execPath, hello] });
}
if (!values["no-arm64"] && hasQemu) {
  if (existsSync(arm64)) {
    subjects.push({ name: "picloud-linux-arm64 (qemu, emulated)", emulated: true, binary: arm64, command: () => [...QEMU, arm64, "serve"] });
  }
  if (existsSync(armBun)) {
    subjects.push({ name: "bun hello world (arm64, qemu, emulated)", emulated: true, command: () => [...QEMU, armBun, hello] });
  }
} else if (!values["no-arm64"]) {
  console.warn("qemu-aarch64 or /usr/aarch64-linux-gnu missing: arm64 skipped (apt-get install qemu-user libc6-arm64-cross)");
}

const results = [];
try {
  for (const s of subjects) results.push(await measure(s));
} finally {
  rmSync(hello, { force: true });
}

const out = {
  machine: {
    cpus: navigator.hardwareConcurrency,
    platform: `${process.platform}-${process.arch}`,
    bun: Bun.version,
  },
  command: "bun run build && bun bench/binary/run.ts",
  notes: [
    "first start creates the PGlite database (initdb); second start reuses it (median of the runs)",
    "exec → healthy: from spawn to the first `ok` on /healthz, polled every 20 ms",
    "idle RSS: VmRSS 3 s after healthy; for emulated rows it includes qemu itself",
    "bun hello world: bare `bun file.ts` with Bun.serve answering `ok`, for scale",
  ],
  results,
};
// Rows measured now replace rows of the same name; others (from an earlier, partial run) stay.
const file = join(ROOT, "bench", "results", "binary.json");
mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
if (existsSync(file)) {
  const previous = JSON.parse(readFileSync(file, "utf8")) as { results?: { name: string }[] };
  const fresh = new Set(results.map((r) => r.name));
  out.results = [...(previous.results ?? []).filter((r) => !fresh.has(r.name)) as typeof results, ...results];
}
writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
console.log("wrote bench/results/binary.json");
