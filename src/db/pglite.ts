// The embedded driver: real Postgres compiled to WASM, data under the data dir.
// The WASM modules and the file-system bundle are imported `with { type: "file" }`
// and handed to PGlite, because inside a `bun build --compile` binary PGlite's
// own lookup next to node_modules finds nothing (DESIGN §1).
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import pgliteWasmPath from "@electric-sql/pglite/pglite.wasm" with { type: "file" };
import initdbWasmPath from "@electric-sql/pglite/initdb.wasm" with { type: "file" };
import pgliteDataPath from "@electric-sql/pglite/pglite.data" with { type: "file" };
import type { Logger } from "../log.ts";
import { type Db, DbError, type Queryable } from "./db.ts";
import { normalizeRows } from "./normalize.ts";
import { lockDataDir } from "./pglite-lock.ts";

export interface PgliteOptions {
  /** PiCloud's data dir; Postgres' files go to `<dataDir>/pgdata`. */
  dataDir: string;
  sharedBuffers: string;
  workMem: string;
}

function wrapError(e: unknown): unknown {
  if (e && typeof e === "object" && "code" in e && typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code)) {
    const err = e as { code: string; message: string; constraint?: string };
    return new DbError(err.message, err.code, err.constraint || undefined, { cause: e });
  }
  return e;
}

function queryable(q: PGlite | Transaction): Queryable {
  return {
    async query<T>(sql: string, params: unknown[] = []) {
      try {
        const res = await q.query<Record<string, unknown>>(sql, params);
        return normalizeRows<T>(res.rows);
      } catch (e) {
        throw wrapError(e);
      }
    },
    async exec(sql: string) {
      try {
        await q.exec(sql);
      } catch (e) {
        throw wrapError(e);
      }
    },
    async copyIn(table: string, columns: string, data: string) {
      try {
        // PGlite feeds a Blob to COPY as the virtual file /dev/blob.
        await q.query(`COPY ${table} (${columns}) FROM '/dev/blob'`, [], { blob: new Blob([data]) });
      } catch (e) {
        throw wrapError(e);
      }
    },
  };
}

// Per-thread WASM module cache (allowed by STYLE §4): compiling pglite.wasm
// costs a noticeable part of a start; a test process or a restart reuses it.
let modules: Promise<[WebAssembly.Module, WebAssembly.Module]> | null = null;
const compiledModules = () =>
  (modules ??= Promise.all([
    Bun.file(pgliteWasmPath).arrayBuffer().then((b) => WebAssembly.compile(b)),
    Bun.file(initdbWasmPath).arrayBuffer().then((b) => WebAssembly.compile(b)),
  ]).catch((e) => {
    modules = null; // a failed read is retried by the next open
    throw e;
  }));

export async function openPglite(opts: PgliteOptions, log: Logger): Promise<Db> {
  const dataDir = join(opts.dataDir, "pgdata");
  await mkdir(dataDir, { recursive: true });
  const started = performance.now();
  const [pgliteWasmModule, initdbWasmModule] = await compiledModules();
  const unlock = await lockDataDir(opts.dataDir);
  const pg = await PGlite.create({
    dataDir,
    pgliteWasmModule,
    initdbWasmModule,
    fsBundle: Bun.file(pgliteDataPath),
    // Postgres' default shared_buffers (128 MB) doubles idle RSS on a Pi (DESIGN §1).
    postgresqlconf: [`shared_buffers=${opts.sharedBuffers}`, `work_mem=${opts.workMem}`],
  }).catch(async (e) => {
    await unlock();
    throw e;
  });
  log.info("database ready", { driver: "pglite", dataDir, ms: Math.round(performance.now() - started) });
  const base = queryable(pg);
  return {
    driver: "pglite",
    ...base,
    async transaction(fn) {
      try {
        return await pg.transaction((tx) => fn(queryable(tx)));
      } catch (e) {
        throw wrapError(e);
      }
    },
    async listen(channel, onPayload) {
      // PGlite delivers NOTIFY in-process: enough for one node, which is all the embedded mode serves.
      const unlisten = await pg.listen(channel, onPayload);
      return async () => {
        if (!pg.closed) await unlisten();
      };
    },
    async notify(channel, payload) {
      await base.query("SELECT pg_notify($1, $2)", [channel, payload]);
    },
    async close() {
      if (!pg.closed) await pg.close();
      await unlock();
    },
  };
}
