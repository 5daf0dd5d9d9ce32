// Helpers for CLI tests: an in-process CliIo that captures output, and a
// subprocess runner (`bun src/main.ts …`) with HOME/XDG_CONFIG_HOME in a temp dir.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClientEnv } from "../../src/config.ts";
import { runCli } from "../../src/cli/index.ts";
import type { CliIo } from "../../src/cli/io.ts";

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process with captured output; `stdin` is what a pipe would carry. */
export async function runInProcess(
  argv: string[],
  opts: { env?: Partial<ClientEnv>; stdin?: string; tty?: boolean; answers?: string[] } = {},
): Promise<Captured> {
  let stdout = "";
  let stderr = "";
  const decoder = new TextDecoder();
  const answers = [...(opts.answers ?? [])];
  const io: CliIo = {
    out: (t) => void (stdout += typeof t === "string" ? t : decoder.decode(t)),
    err: (t) => void (stderr += t),
    readStdin: async () => new TextEncoder().encode(opts.stdin ?? ""),
    stdinIsTty: opts.tty ?? false,
    stdoutIsTty: opts.tty ?? false,
    prompt: async () => answers.shift() ?? "",
  };
  const env: ClientEnv = { url: undefined, token: undefined, configDir: "/nonexistent/picloud", ...opts.env };
  const code = await runCli(argv, io, env);
  return { code, stdout, stderr };
}

export function tempDir(prefix = "picloud-cli-"): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

const MAIN = join(import.meta.dir, "../../src/main.ts");

/**
 * Runs `bun src/main.ts …` as a real process: HOME and XDG_CONFIG_HOME point at
 * `home`, PICLOUD_URL/PICLOUD_TOKEN are cleared unless given.
 */
export async function runCliProcess(
  args: string[],
  opts: { home: string; env?: Record<string, string>; stdin?: string; cwd?: string },
): Promise<Captured> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(Bun.env)) {
    if (v !== undefined && !k.startsWith("PICLOUD_")) env[k] = v;
  }
  Object.assign(env, { HOME: opts.home, XDG_CONFIG_HOME: join(opts.home, ".config") }, opts.env);
  const proc = Bun.spawn(["bun", MAIN, ...args], {
    env,
    cwd: opts.cwd ?? opts.home,
    stdin: opts.stdin === undefined ? "ignore" : new TextEncoder().encode(opts.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}
