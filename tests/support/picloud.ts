// The test harness every suite uses (team brief): a real PiCloud on
// 127.0.0.1 port 0 with a fresh database per `startPicloud`, on PGlite and on
// the PostgreSQL server named by PICLOUD_TEST_DATABASE_URL.
import { afterAll, beforeAll, describe } from "bun:test";
import { cp, mkdir, mkdtemp, rename, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SQL } from "bun";
import { loadConfig } from "../../src/config.ts";
import type { Db } from "../../src/db/db.ts";
import { createLogger, silentLogger } from "../../src/log.ts";
import { startServer, type Running } from "../../src/serve.ts";
import type { Services } from "../../src/services/index.ts";

export type Driver = "pglite" | "postgres";

const TEST_DATABASE_URL = process.env.PICLOUD_TEST_DATABASE_URL || undefined;
/** PICLOUD_TEST_LOG=debug|info|… shows the servers' logs; silent by default. */
const TEST_LOG = process.env.PICLOUD_TEST_LOG || undefined;
/** PICLOUD_TEST_PGLITE_TEMPLATE=off: every PGlite server runs its own initdb (slow) instead of copying a cached one. */
const USE_TEMPLATE = process.env.PICLOUD_TEST_PGLITE_TEMPLATE !== "off";

let warned = false;

/**
 * Runs `fn` once per driver inside `describe("pglite")` / `describe("postgres")`.
 * Without PICLOUD_TEST_DATABASE_URL the postgres half is skipped, and says so.
 */
export function eachDriver(fn: (driver: Driver) => void): void {
  describe("pglite", () => fn("pglite"));
  if (TEST_DATABASE_URL) {
    describe("postgres", () => fn("postgres"));
  } else {
    if (!warned) {
      warned = true;
      process.stderr.write("eachDriver: PICLOUD_TEST_DATABASE_URL is unset — the postgres half did NOT run\n");
    }
    describe.skip("postgres (skipped: PICLOUD_TEST_DATABASE_URL unset)", () => fn("postgres"));
  }
}

export interface ApiResponse<T = any> {
  status: number;
  /** Parsed JSON when the answer is JSON, else the text; null for an empty body. */
  body: T;
  headers: Headers;
}

export interface ApiOptions {
  /** Bearer token. Omitted: the admin's session (logs in once). `null`: no credentials at all. */
  token?: string | null;
  headers?: Record<string, string>;
}

export interface Picloud {
  readonly url: string;
  readonly port: number;
  readonly db: Db;
  readonly services: Services;
  readonly admin: { username: string; password: string };
  /** The data dir (PGlite's files live in `<dataDir>/pgdata`). */
  readonly dataDir: string;
  /** The admin's session token (cached). */
  login(): Promise<string>;
  /**
   * One HTTP request to the server. `body`: objects are sent as JSON; strings and bytes as they are.
   * Redirects are not followed, so a 308 is visible.
   */
  api<T = any>(method: string, path: string, body?: unknown, opts?: ApiOptions): Promise<ApiResponse<T>>;
  /** Stops the server and starts it again on the same database (data kept; new port). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  driver: Driver;
  /** Extra environment for loadConfig, e.g. `{ PICLOUD_MAX_TIMEOUT_MS: "1000" }`. */
  env?: Record<string, string>;
}

const ADMIN = { username: "admin", password: "picloud-test-password-1" };

/**
 * Hooks default to 5 s in bun test, whatever bunfig says for tests; a first
 * PGlite initdb on a busy 2-core box (or under qemu) takes far longer.
 */
export const HOOK_TIMEOUT_MS = 180_000;

/**
 * Registers beforeAll/afterAll in the current describe and returns a handle
 * whose fields are live once beforeAll ran. Each call gets its own database.
 */
export function startPicloud(opts: StartOptions): Picloud {
  let running: Running | null = null;
  let dataDir = "";
  let database: { base: string; name: string; url: string } | null = null;
  let token: string | null = null;
  let envUsed: Record<string, string> = {};

  const need = () => {
    if (!running) throw new Error("startPicloud: the server is not running (use it inside a test)");
    return running;
  };

  async function boot() {
    const config = loadConfig(envUsed);
    const log = TEST_LOG ? createLogger(TEST_LOG as "debug") : silentLogger;
    running = await startServer(config, log, { announce: false });
    token = null;
  }

  const handle: Picloud = {
    get url() { return `http://127.0.0.1:${need().port}`; },
    get port() { return need().port; },
    get db() { return need().services.db; },
    get services() { return need().services; },
    admin: ADMIN,
    get dataDir() { return dataDir; },

    async login() {
      if (token) return token;
      const res = await handle.api("POST", "/api/v1/admin/auth/login", ADMIN, { token: null });
      if (res.status !== 200 || typeof res.body?.token !== "string") {
        throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
      }
      token = res.body.token as string;
      return token;
    },

    async api(method, path, body, apiOpts = {}) {
      const headers: Record<string, string> = { ...apiOpts.headers };
      const bearer = apiOpts.token === undefined ? await handle.login() : apiOpts.token;
      if (bearer) headers.authorization = `Bearer ${bearer}`;
      let payload: BodyInit | undefined;
      if (body !== undefined) {
        if (typeof body === "string" || body instanceof Uint8Array || body instanceof ReadableStream) {
          payload = body as BodyInit;
        } else {
          payload = JSON.stringify(body);
          headers["content-type"] ??= "application/json";
        }
      }
      const res = await fetch(`${handle.url}${path}`, { method, headers, body: payload, redirect: "manual" });
      const text = await res.text();
      let parsed: unknown = text === "" ? null : text;
      if (text !== "" && (res.headers.get("content-type") ?? "").includes("json")) parsed = JSON.parse(text);
      return { status: res.status, body: parsed as any, headers: res.headers };
    },

    async restart() {
      await need().stop();
      running = null;
      await boot();
    },

    async stop() {
      if (running) await running.stop();
      running = null;
    },
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "picloud-test-"));
    const env: Record<string, string> = {
      PORT: "0",
      PICLOUD_HOST: "127.0.0.1",
      PICLOUD_DATA_DIR: dataDir,
      PICLOUD_ADMIN_USERNAME: ADMIN.username,
      PICLOUD_ADMIN_PASSWORD: ADMIN.password,
      PICLOUD_WORKERS: "1",
    };
    if (opts.driver === "postgres") {
      if (!TEST_DATABASE_URL) throw new Error("PICLOUD_TEST_DATABASE_URL is unset");
      database = await createDatabase(TEST_DATABASE_URL);
      env.DATABASE_URL = database.url;
    } else {
      await seedPgliteDir(join(dataDir, "pgdata"));
    }
    envUsed = { ...env, ...opts.env };
    await boot();
  }, HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await handle.stop();
    if (database) await dropDatabase(database.base, database.name);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }, HOOK_TIMEOUT_MS);

  return handle;
}

/** A fresh database on the test server: `picloud_t_<random>`, dropped by afterAll. */
export async function createDatabase(base: string): Promise<{ base: string; name: string; url: string }> {
  const name = `picloud_t_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = new SQL(base, { max: 1 });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.close();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { base, name, url: url.href };
}

export async function dropDatabase(base: string, name: string): Promise<void> {
  const admin = new SQL(base, { max: 1 });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.close();
  }
}

/** Gives a PiCloud data dir an initialised (empty) PGlite cluster, without paying initdb again. */
export async function preparePgliteDataDir(dataDir: string): Promise<void> {
  await seedPgliteDir(join(dataDir, "pgdata"));
}

/**
 * PGlite's initdb costs seconds per fresh directory. One empty, initialised
 * data dir is kept per PGlite version in the temp dir and copied for each
 * server; migrations and the seed still run on every copy as on a new install.
 */
async function seedPgliteDir(target: string): Promise<void> {
  if (!USE_TEMPLATE) return;
  // The package's exports hide package.json; it sits one level above dist/.
  const entry = Bun.resolveSync("@electric-sql/pglite", import.meta.dir);
  const pkg = (await Bun.file(join(entry, "..", "..", "package.json")).json()) as { version: string };
  const template = join(tmpdir(), `picloud-pglite-template-${pkg.version}`);
  if (!(await exists(join(template, "PG_VERSION")))) {
    const building = `${template}.building-${process.pid}-${Date.now()}`;
    await mkdir(building, { recursive: true });
    const { PGlite } = await import("@electric-sql/pglite");
    const pg = await PGlite.create({ dataDir: building });
    await pg.close();
    // Atomic publish; a concurrent builder that lost the race just throws its copy away.
    await rename(building, template).catch(() => rm(building, { recursive: true, force: true }));
  }
  await cp(template, target, { recursive: true });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
