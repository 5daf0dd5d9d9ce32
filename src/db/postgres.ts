// The server driver (DATABASE_URL). Bun.SQL rather than `postgres` (porsager):
// on the same queries it measured 2–3× less time per statement and ~6× on a
// burst of concurrent selects (bench/db/driver.ts), and it has LISTEN/NOTIFY.
import { SQL } from "bun";
import type { Logger } from "../log.ts";
import { type Db, DbError, type Queryable } from "./db.ts";
import { normalizeRows } from "./normalize.ts";

export interface PostgresOptions {
  url: string;
  /** Pool size. */
  max?: number;
}

function wrapError(e: unknown): unknown {
  if (e instanceof Error && "errno" in e && typeof e.errno === "string" && /^[0-9A-Z]{5}$/.test(e.errno)) {
    const constraint = "constraint" in e && typeof e.constraint === "string" ? e.constraint : undefined;
    return new DbError(e.message, e.errno, constraint || undefined, { cause: e });
  }
  return e;
}

type Unsafe = { unsafe(sql: string, params?: unknown[]): Promise<unknown> };

function queryable(q: Unsafe): Queryable {
  return {
    async query<T>(sql: string, params: unknown[] = []) {
      try {
        const rows = (await q.unsafe(sql, params)) as Record<string, unknown>[];
        return normalizeRows<T>(rows);
      } catch (e) {
        throw wrapError(e);
      }
    },
    async exec(sql: string) {
      try {
        // Without parameters Bun.SQL uses the simple protocol, which accepts several statements.
        await q.unsafe(sql);
      } catch (e) {
        throw wrapError(e);
      }
    },
  };
}

export async function openPostgres(opts: PostgresOptions, log: Logger): Promise<Db> {
  // bigint: true so int8 arrives as BigInt (normalised to number), not as a string indistinguishable from text.
  const sql = new SQL(opts.url, { max: opts.max ?? 10, bigint: true });
  try {
    await sql.unsafe("SELECT 1");
  } catch (e) {
    await sql.close().catch(() => {});
    throw wrapError(e);
  }
  const where = new URL(opts.url);
  log.info("database ready", { driver: "postgres", host: where.host, database: where.pathname.slice(1) });
  const base = queryable(sql);
  return {
    driver: "postgres",
    ...base,
    async transaction(fn) {
      try {
        return (await sql.begin((tx) => fn(queryable(tx)))) as Awaited<ReturnType<typeof fn>>;
      } catch (e) {
        throw wrapError(e);
      }
    },
    async listen(channel, onPayload) {
      const sub = await sql.listen(channel, onPayload);
      return () => sub.unlisten();
    },
    async notify(channel, payload) {
      await sql.notify(channel, payload);
    },
    async close() {
      await sql.close();
    },
  };
}
