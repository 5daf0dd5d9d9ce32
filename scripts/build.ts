// `bun run build`: dist/picloud-linux-x64 and dist/picloud-linux-arm64, one file each.
//
// What must be inside, and how it gets there:
// - migrations, QuickJS and PGlite WASM/data: imported by their modules
//   (`with { type: "text" | "file" }`), so the bundler embeds them;
// - the worker entry (src/runtime/worker/main.ts): Bun bundles a Worker only
//   when it is an entrypoint of its own. With src/ as the root it is stored at
//   /$bunfs/root/runtime/worker/main.js, where src/runtime/pool.ts
//   (`workerEntry()`) looks for it;
// - the dashboard's built assets (dashboard/dist, when built): imported as
//   files by src/http/dashboard-assets.gen.ts (scripts/embed-dashboard.ts,
//   re-run here when dist is newer), so they are embedded like the WASM.
//
// Cross-compiling needs the target's Bun executable; it comes from the npm
// registry (`@oven/bun-linux-aarch64` at this Bun's version), cached in
// ~/.cache/picloud-build, so no other download is ever attempted.
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const ROOT = resolve(import.meta.dir, "..");
const DIST = join(ROOT, "dist");

interface Target {
  name: "linux-x64" | "linux-arm64";
  bunTarget: "bun-linux-x64" | "bun-linux-arm64";
  npmPackage: string;
  arch: string;
}

const TARGETS: Target[] = [
  { name: "linux-x64", bunTarget: "bun-linux-x64", npmPackage: "@oven/bun-linux-x64", arch: "x64" },
  { name: "linux-arm64", bunTarget: "bun-linux-arm64", npmPackage: "@oven/bun-linux-aarch64", arch: "arm64" },
];

/** The Bun executable the binary is built from: this one for the host, else the npm package's. */
async function bunExecutableFor(target: Target): Promise<string> {
  if (process.platform === "linux" && process.arch === target.arch) return process.execPath;
  const cacheDir = join(homedir(), ".cache", "picloud-build", `${target.npmPackage.replace("/", "+")}-${Bun.version}`);
  const exe = join(cacheDir, "package", "bin", "bun");
  if (existsSync(exe)) return exe;
  mkdirSync(cacheDir, { recursive: true });
  const spec = `${target.npmPackage}@${Bun.version}`;
  console.log(`fetching ${spec} from the npm registry (once)`);
  const pack = Bun.spawnSync(["npm", "pack", spec, "--silent", "--pack-destination", cacheDir], { stderr: "inherit" });
  const tarball = pack.stdout.toString().trim().split("\n").pop();
  if (pack.exitCode !== 0 || !tarball) throw new Error(`npm pack ${spec} failed`);
  const untar = Bun.spawnSync(["tar", "-xzf", join(cacheDir, tarball), "-C", cacheDir], { stderr: "inherit" });
  if (untar.exitCode !== 0 || !existsSync(exe)) throw new Error(`could not unpack ${tarball}`);
  rmSync(join(cacheDir, tarball));
  return exe;
}

/** The binary's entrypoints: the CLI/server, and the sandbox worker (see the header). */
function entrypoints(): string[] {
  const entries = [join(ROOT, "src", "main.ts")];
  const worker = join(ROOT, "src", "runtime", "worker", "main.ts");
  if (existsSync(worker)) entries.push(worker);
  else console.warn("warning: src/runtime/worker/main.ts is missing; the binary has no sandbox worker");
  // The dashboard's assets come in through src/http/dashboard-assets.gen.ts
  // (file imports, written by scripts/embed-dashboard.ts), which the bundler embeds.
  const dist = join(ROOT, "dashboard", "dist", "index.html");
  const gen = join(ROOT, "src", "http", "dashboard-assets.gen.ts");
  if (existsSync(dist)) {
    if (!existsSync(gen) || statSync(gen).mtimeMs < statSync(dist).mtimeMs) {
      const r = Bun.spawnSync(["bun", join(ROOT, "scripts", "embed-dashboard.ts")], { cwd: ROOT, stdout: "inherit", stderr: "inherit" });
      if (r.exitCode !== 0) throw new Error("scripts/embed-dashboard.ts failed");
    }
  } else {
    console.warn("note: dashboard not built (bun run build:dashboard); the binary serves a page saying so at /admin/");
  }
  return entries;
}

async function build(target: Target, entries: string[]): Promise<string> {
  const outfile = join(DIST, `picloud-${target.name}`);
  const result = await Bun.build({
    entrypoints: entries,
    root: join(ROOT, "src"),
    // A service binary must not pick up a stray .env or bunfig.toml from whatever directory it starts in.
    compile: {
      target: target.bunTarget,
      outfile,
      executablePath: await bunExecutableFor(target),
      autoloadDotenv: false,
      autoloadBunfig: false,
    },
    minify: { syntax: true, whitespace: true, identifiers: false },
    sourcemap: "none",
  });
  if (!result.success) {
    for (const m of result.logs) console.error(m);
    throw new Error(`build for ${target.name} failed`);
  }
  return outfile;
}

const { values } = parseArgs({ args: Bun.argv.slice(2), options: { target: { type: "string", multiple: true } } });
const wanted = values.target?.length ? TARGETS.filter((t) => values.target!.some((w) => t.name.endsWith(w))) : TARGETS;
if (wanted.length === 0) throw new Error(`--target must be one of ${TARGETS.map((t) => t.name).join(", ")}`);

mkdirSync(DIST, { recursive: true });
const entries = entrypoints();
for (const target of wanted) {
  const started = performance.now();
  const out = await build(target, entries);
  const mb = (statSync(out).size / 1024 / 1024).toFixed(1);
  console.log(`${out}  ${mb} MB  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
