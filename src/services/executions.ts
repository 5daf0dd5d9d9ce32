// Execution logs: one record per invocation, written in batches off the
// request path (DESIGN §2: no SQL on the hot path), listed newest first,
// tailed live, and swept by age and by a per-script row cap.
import { randomUUID } from "node:crypto";
import type { Capability, Authorizer, Principal } from "../auth/capabilities.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db/db.ts";
import {
  deleteExecutionsBeyondCap,
  deleteExecutionsOlderThan,
  findExecution,
  findExecutionsByIds,
  insertExecutions,
  listAppExecutions,
  listScriptExecutions,
  type ExecutionRow,
} from "../db/queries/executions.ts";
import { invalid, notFound, signedIn } from "../errors.ts";
import type { Logger } from "../log.ts";
import { isUuid } from "../auth/ids.ts";

export type { ExecutionRow };

/** Cross-node live tail: `<node id> <id>,<id>,…` after each flush (PostgreSQL only; PGlite is one node). */
export const EXECUTIONS_CHANNEL = "picloud_executions";

const FLUSH_INTERVAL_MS = 250;
const FLUSH_ROWS = 1000;
const STATEMENT_ROWS = 250;
/** Beyond this many unwritten rows new ones are dropped (and counted): a stuck database must not eat the heap. */
const MAX_PENDING = 20_000;
const SWEEP_INTERVAL_MS = 10 * 60_000;
const MAX_LIST = 500;

export interface ListOptions {
  limit?: unknown;
  before?: unknown;
}

export type Listener = (row: ExecutionRow) => void;

export interface ExecutionsDeps {
  db: Db;
  log: Logger;
  config: Pick<Config, "logs">;
  auth: Pick<Authorizer, "require">;
  /** The app a script belongs to, or null when it does not exist (from the scripts cache). */
  appOfScript(scriptId: string): Promise<string | null>;
  /** Loads an app by id or slug and checks `capability` on it (the apps service's `locate`): 401/404/403 as usual. */
  locateApp(principal: Principal | null, idOrSlug: string, capability: Capability): Promise<{ app: { id: string } }>;
}

export function createExecutions(deps: ExecutionsDeps) {
  const { db, log, config, auth } = deps;
  const nodeId = randomUUID();
  let pending: ExecutionRow[] = [];
  let flushing: Promise<void> | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let dropped = 0;
  let closed = false;
  const listeners = new Map<string, Set<Listener>>();
  let unlisten: (() => Promise<void>) | null = null;
  let sweepTimer: ReturnType<typeof setInterval> | null = null;

  function emit(row: ExecutionRow) {
    if (listeners.size === 0) return; // the common case: nobody tails, skip building keys per request
    for (const key of [`script:${row.script_id}`, `app:${row.app_id}`]) {
      const set = listeners.get(key);
      if (!set) continue;
      for (const fn of set) {
        try {
          fn(row);
        } catch (e) {
          log.warn("log tail listener failed", { cause: e });
        }
      }
    }
  }

  async function writeBatch(batch: ExecutionRow[]) {
    try {
      // PGlite executes on this thread: a statement blocks every request while it
      // runs (≈ 40–60 µs a row here). Bounded statements with a yield between
      // them keep that pause short; fewer rows per statement would cost more
      // per row (each statement has a fixed price of a few milliseconds).
      for (let i = 0; i < batch.length; i += STATEMENT_ROWS) {
        if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
        await insertExecutions(db, batch.slice(i, i + STATEMENT_ROWS));
      }
    } catch (e) {
      log.error("execution log batch lost", { rows: batch.length, cause: e });
      return;
    }
    if (db.driver === "postgres") {
      // Other nodes sharing the database tail these too. NOTIFY payloads stop at 8000 bytes: chunk the ids.
      for (let i = 0; i < batch.length; i += 150) {
        const ids = batch.slice(i, i + 150).map((r) => r.id).join(",");
        await db.notify(EXECUTIONS_CHANNEL, `${nodeId} ${ids}`).catch((e) => log.warn("log notify failed", { cause: e }));
      }
    }
  }

  function flush(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    // One writer at a time keeps PGlite's single connection free for requests between batches.
    const run = async () => {
      while (pending.length > 0) {
        const batch = pending;
        pending = [];
        await writeBatch(batch);
      }
    };
    const next: Promise<void> = (flushing ?? Promise.resolve()).then(run);
    flushing = next.finally(() => {
      if (flushing === next) flushing = null;
    });
    return next;
  }

  async function onRemote(payload: string) {
    const space = payload.indexOf(" ");
    if (space < 0 || payload.slice(0, space) === nodeId || listeners.size === 0) return;
    const ids = payload.slice(space + 1).split(",").filter((id) => isUuid(id));
    try {
      for (const row of await findExecutionsByIds(db, ids)) emit(row);
    } catch (e) {
      log.warn("remote log tail fetch failed", { cause: e });
    }
  }

  function parseList(opts: ListOptions): { limit: number; before: string | null } {
    let limit = 50;
    if (opts.limit !== undefined && opts.limit !== "") {
      const n = Number(opts.limit);
      if (!Number.isInteger(n) || n < 1 || n > MAX_LIST) throw invalid("limit", `must be an integer from 1 to ${MAX_LIST}`);
      limit = n;
    }
    const before = opts.before === undefined || opts.before === "" ? null : String(opts.before);
    if (before !== null && !isUuid(before) && Number.isNaN(Date.parse(before))) {
      throw invalid("before", "must be an execution id or an ISO-8601 timestamp");
    }
    return { limit, before };
  }

  async function cursorOf(before: string | null) {
    if (before === null) return null;
    if (!isUuid(before)) return { createdAt: new Date(before).toISOString(), id: "ffffffff-ffff-ffff-ffff-ffffffffffff" };
    const row = await findExecution(db, before);
    if (!row) throw invalid("before", "no such execution");
    return { createdAt: row.created_at, id: row.id };
  }

  async function requireOnScript(principal: Principal | null, scriptId: string, cap: Capability) {
    const appId = isUuid(scriptId) ? await deps.appOfScript(scriptId) : null;
    if (!appId) {
      signedIn(principal);
      throw notFound("script");
    }
    await auth.require(principal, cap, appId);
    return appId;
  }

  return {
    /** Queue one record; never throws, never waits. Live-tail subscribers see it at once. */
    record(row: ExecutionRow): void {
      if (closed) return;
      if (pending.length >= MAX_PENDING) {
        if (dropped++ % 1000 === 0) log.warn("execution log backlog full: dropping records", { dropped });
        return;
      }
      pending.push(row);
      emit(row);
      if (pending.length >= FLUSH_ROWS) void flush();
      else if (!timer) {
        timer = setTimeout(() => void flush(), FLUSH_INTERVAL_MS);
        timer.unref?.();
      }
    },

    flush,

    async start() {
      if (db.driver === "postgres") unlisten = await db.listen(EXECUTIONS_CHANNEL, (p) => void onRemote(p));
      sweepTimer = setInterval(() => {
        void this.sweep().catch((e) => log.warn("log retention sweep failed", { cause: e }));
      }, SWEEP_INTERVAL_MS);
      sweepTimer.unref?.();
    },

    async listForScript(principal: Principal | null, scriptId: string, opts: ListOptions) {
      await requireOnScript(principal, scriptId, "logs:read");
      const { limit, before } = parseList(opts);
      await flush();
      return listScriptExecutions(db, scriptId, { limit, before: await cursorOf(before) });
    },

    async listForApp(principal: Principal | null, idOrSlug: string, opts: ListOptions) {
      const { app } = await deps.locateApp(principal, idOrSlug, "logs:read");
      const appId = app.id;
      const { limit, before } = parseList(opts);
      await flush();
      return listAppExecutions(db, appId, { limit, before: await cursorOf(before) });
    },

    async get(principal: Principal | null, id: string) {
      const row = pending.find((r) => r.id === id) ?? (isUuid(id) ? await findExecution(db, id) : null);
      if (!row) {
        signedIn(principal);
        throw notFound("execution");
      }
      await auth.require(principal, "logs:read", row.app_id);
      return row;
    },

    /** Live tail of one script; checks `logs:read` first. Returns the unsubscribe function. */
    async tailScript(principal: Principal | null, scriptId: string, fn: Listener) {
      await requireOnScript(principal, scriptId, "logs:read");
      return this.subscribe(`script:${scriptId}`, fn);
    },

    async tailApp(principal: Principal | null, idOrSlug: string, fn: Listener) {
      const { app } = await deps.locateApp(principal, idOrSlug, "logs:read");
      return this.subscribe(`app:${app.id}`, fn);
    },

    subscribe(key: string, fn: Listener): () => void {
      let set = listeners.get(key);
      if (!set) listeners.set(key, (set = new Set()));
      set.add(fn);
      return () => {
        set.delete(fn);
        if (set.size === 0) listeners.delete(key);
      };
    },

    /**
     * Retention: rows older than `logs.retentionDays` (0 keeps rows of any age),
     * then all but the newest `logs.maxRowsPerScript` of each script.
     */
    async sweep(): Promise<{ byAge: number; byCap: number }> {
      await flush();
      const byAge = config.logs.retentionDays > 0 ? await deleteExecutionsOlderThan(db, config.logs.retentionDays) : 0;
      const byCap = await deleteExecutionsBeyondCap(db, config.logs.maxRowsPerScript);
      if (byAge + byCap > 0) log.info("log retention sweep", { byAge, byCap });
      return { byAge, byCap };
    },

    stats: () => ({ pending: pending.length, dropped, tails: listeners.size }),

    /** Write what is queued and stop; call before closing the database. */
    async close() {
      if (sweepTimer) clearInterval(sweepTimer);
      await flush();
      closed = true;
      if (unlisten) await unlisten().catch(() => {});
      listeners.clear();
    },
  };
}

export type Executions = ReturnType<typeof createExecutions>;
