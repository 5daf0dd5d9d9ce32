// env → typed Config. The only module that reads process.env (STYLE §4):
// everything else receives the slice of Config it needs.
import { availableParallelism, homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import type { Limits, RuntimeConfig } from "./runtime/types.ts";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);

/**
 * Every environment variable PiCloud reads, with its default.
 * docs/configuration.md documents each one; keep the two in step.
 */
const Env = z.object({
  PORT: int(0, 65535).default(8080),
  PICLOUD_HOST: z.string().default("0.0.0.0"),
  PICLOUD_DATA_DIR: z.string().default("./picloud-data"),
  DATABASE_URL: z.string().optional(),
  /** PGlite's Postgres settings: small by default so a Pi idles near the WASM heap floor (DESIGN §1). */
  PICLOUD_PGLITE_SHARED_BUFFERS: z.string().default("8MB"),
  PICLOUD_PGLITE_WORK_MEM: z.string().default("2MB"),
  PICLOUD_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),

  PICLOUD_ADMIN_USERNAME: z.string().optional(),
  PICLOUD_ADMIN_PASSWORD: z.string().optional(),
  PICLOUD_SESSION_TTL_HOURS: int(1).default(24),
  PICLOUD_SECRET_KEY: z.string().optional(),
  /** Public base URL used in printed links (login URL); defaults to http://localhost:PORT. */
  PICLOUD_PUBLIC_URL: z.string().optional(),

  PICLOUD_LOG_RETENTION_DAYS: int(0).default(7),
  PICLOUD_LOG_MAX_ROWS_PER_SCRIPT: int(1).default(10_000),

  PICLOUD_WORKERS: int(1, 256).optional(),
  PICLOUD_MAX_CONCURRENT_EXECUTIONS: int(1).default(32),
  /**
   * Classic quickjs by default: both builds pass the runtime and shim suites,
   * and classic ran plain compute 1.7–2.2× faster and a warm Web-API handler
   * ~5–10 % faster, interleaved on the same box (bench/results/runtime-variants.json).
   */
  PICLOUD_QUICKJS_VARIANT: z.enum(["quickjs", "quickjs-ng"]).default("quickjs"),
  /** Memory budget for warm runtimes kept per worker, in MB. */
  PICLOUD_WARM_RUNTIME_BUDGET_MB: int(1).default(256),
  PICLOUD_HTTP_ALLOW_PRIVATE: bool.default(false),

  // Operator ceilings: a script's own limit may be lower, never higher (DESIGN §4).
  PICLOUD_MAX_TIMEOUT_MS: int(1).default(30_000),
  PICLOUD_MAX_CPU_MS: int(1).default(10_000),
  PICLOUD_MAX_MEMORY_MB: int(1).default(128),
  /** QuickJS stack; the sandbox clamps to 256 KB, what a Bun worker thread's native stack holds safely. */
  PICLOUD_MAX_STACK_KB: int(16).default(256),
  PICLOUD_MAX_REQUEST_BODY_BYTES: int(0).default(10 * 1024 * 1024),
  PICLOUD_MAX_RESPONSE_BODY_BYTES: int(0).default(10 * 1024 * 1024),
  PICLOUD_MAX_CONSOLE_BYTES: int(0).default(64 * 1024),
  PICLOUD_MAX_CONCURRENT_FETCHES: int(0).default(16),
  PICLOUD_MAX_FETCH_RESPONSE_BYTES: int(0).default(10 * 1024 * 1024),
});

export type Env = z.input<typeof Env>;

/** Defaults a script gets when it sets no limit of its own. */
const DEFAULT_LIMITS: Limits = {
  timeoutMs: 30_000,
  cpuMs: 5_000,
  memoryMb: 64,
  stackKb: 256,
  requestBodyBytes: 1024 * 1024,
  responseBodyBytes: 5 * 1024 * 1024,
  consoleBytes: 16 * 1024,
  concurrentFetches: 6,
};

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  pglite: { sharedBuffers: string; workMem: string };
  logLevel: "debug" | "info" | "warn" | "error";
  publicUrl: string | undefined;
  admin: { username: string | undefined; password: string | undefined };
  sessionTtlHours: number;
  secretKey: string | undefined;
  logs: { retentionDays: number; maxRowsPerScript: number };
  runtime: RuntimeConfig;
}

export class ConfigError extends Error {}

/** Parse the environment (and CLI overrides such as `--port`) into a Config. Throws ConfigError naming the variable. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<Pick<Config, "port" | "dataDir" | "host">> = {},
): Config {
  // Empty strings mean "unset", as in a shell `FOO= picloud serve`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = Env.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`invalid ${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  const ceilings: Limits = {
    timeoutMs: e.PICLOUD_MAX_TIMEOUT_MS,
    cpuMs: e.PICLOUD_MAX_CPU_MS,
    memoryMb: e.PICLOUD_MAX_MEMORY_MB,
    stackKb: e.PICLOUD_MAX_STACK_KB,
    requestBodyBytes: e.PICLOUD_MAX_REQUEST_BODY_BYTES,
    responseBodyBytes: e.PICLOUD_MAX_RESPONSE_BODY_BYTES,
    consoleBytes: e.PICLOUD_MAX_CONSOLE_BYTES,
    concurrentFetches: e.PICLOUD_MAX_CONCURRENT_FETCHES,
  };
  // A default above its ceiling is clamped: the operator's word wins.
  const defaults = Object.fromEntries(
    Object.entries(DEFAULT_LIMITS).map(([k, v]) => [k, Math.min(v, ceilings[k as keyof Limits])]),
  ) as unknown as Limits;
  return {
    port: overrides.port ?? e.PORT,
    host: overrides.host ?? e.PICLOUD_HOST,
    dataDir: overrides.dataDir ?? e.PICLOUD_DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    pglite: { sharedBuffers: e.PICLOUD_PGLITE_SHARED_BUFFERS, workMem: e.PICLOUD_PGLITE_WORK_MEM },
    logLevel: e.PICLOUD_LOG_LEVEL,
    publicUrl: e.PICLOUD_PUBLIC_URL,
    admin: { username: e.PICLOUD_ADMIN_USERNAME, password: e.PICLOUD_ADMIN_PASSWORD },
    sessionTtlHours: e.PICLOUD_SESSION_TTL_HOURS,
    secretKey: e.PICLOUD_SECRET_KEY,
    logs: { retentionDays: e.PICLOUD_LOG_RETENTION_DAYS, maxRowsPerScript: e.PICLOUD_LOG_MAX_ROWS_PER_SCRIPT },
    runtime: {
      workers: e.PICLOUD_WORKERS ?? availableParallelism(),
      maxConcurrentExecutions: e.PICLOUD_MAX_CONCURRENT_EXECUTIONS,
      variant: e.PICLOUD_QUICKJS_VARIANT,
      warmBudgetMb: e.PICLOUD_WARM_RUNTIME_BUDGET_MB,
      allowPrivateFetch: e.PICLOUD_HTTP_ALLOW_PRIVATE,
      maxFetchResponseBytes: e.PICLOUD_MAX_FETCH_RESPONSE_BYTES,
      defaults,
      ceilings,
    },
  };
}

/** What the CLI's client commands read from the environment (they never load the server Config). */
export interface ClientEnv {
  /** PICLOUD_URL: overrides the saved server URL for every command. */
  url: string | undefined;
  /** PICLOUD_TOKEN: overrides the saved token for every command. */
  token: string | undefined;
  /** Directory holding credentials.json: $XDG_CONFIG_HOME/picloud, else ~/.config/picloud. */
  configDir: string;
}

export function loadClientEnv(env: Record<string, string | undefined> = process.env): ClientEnv {
  const nonEmpty = (v: string | undefined) => (v === undefined || v === "" ? undefined : v);
  const home = nonEmpty(env.HOME) ?? homedir();
  const base = nonEmpty(env.XDG_CONFIG_HOME) ?? join(home, ".config");
  return {
    url: nonEmpty(env.PICLOUD_URL),
    token: nonEmpty(env.PICLOUD_TOKEN),
    configDir: join(base, "picloud"),
  };
}
