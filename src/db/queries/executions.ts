// Every statement that touches `executions` (STYLE §5).
import type { Queryable } from "../db.ts";

/**
 * One stored console line. The same shape as the runtime's ConsoleLine
 * (src/runtime/types.ts), declared here so db/ imports nothing above it
 * (STYLE §1); structural typing keeps the two interchangeable.
 */
export interface ConsoleLineRow {
  level: "log" | "info" | "warn" | "error" | "debug";
  /** Unix epoch milliseconds. */
  ts: number;
  message: string;
}

export interface ExecutionRow {
  id: string;
  app_id: string;
  script_id: string;
  script_version: number;
  trigger_kind: string;
  /** `ok`, or the error code that ended the invocation (script_error, timeout, budget_exceeded, gate_full, body_too_large, internal). */
  status: string;
  http_status: number | null;
  duration_ms: number;
  cpu_ms: number;
  request_method: string | null;
  request_url: string | null;
  request_size: number | null;
  response_size: number | null;
  console: ConsoleLineRow[];
  console_truncated: boolean;
  error: string | null;
  stack: string | null;
  root_execution_id: string | null;
  trigger_depth: number;
  created_at: string;
}

const COLUMNS =
  "id, app_id, script_id, script_version, trigger_kind, status, http_status, duration_ms, cpu_ms, " +
  "request_method, request_url, request_size, response_size, console, console_truncated, error, stack, " +
  "root_execution_id, trigger_depth, created_at";

/** Column → SQL reading it from a positional jsonb array `r` (the order of `tuple` below). */
const READERS = [
  "(r->>0)::uuid", "(r->>1)::uuid", "(r->>2)::uuid", "(r->>3)::int", "r->>4", "r->>5", "(r->>6)::int",
  "(r->>7)::float8", "(r->>8)::float8", "r->>9", "r->>10", "(r->>11)::int", "(r->>12)::int",
  "coalesce(r->13, '[]'::jsonb)", "coalesce((r->>14)::boolean, false)", "r->>15", "r->>16", "(r->>17)::uuid",
  "(r->>18)::int", "(r->>19)::timestamptz",
].join(", ");

const tuple = (x: ExecutionRow): unknown[] => [
  x.id, x.app_id, x.script_id, x.script_version, x.trigger_kind, x.status, x.http_status, x.duration_ms, x.cpu_ms,
  x.request_method, x.request_url, x.request_size, x.response_size, x.console, x.console_truncated, x.error, x.stack,
  x.root_execution_id, x.trigger_depth, x.created_at,
];

/** One value in COPY's text format: `\N` for null; backslash, tab, newline and CR escaped. */
function copyValue(v: unknown): string {
  if (v === null || v === undefined) return "\\N";
  const s = typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : s;
}
const COPY_ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/** The batch as COPY text, columns in COLUMNS order; defaults as the jsonb path's coalesce() applies them. */
function copyText(rows: ExecutionRow[]): string {
  let out = "";
  for (const x of rows) {
    const t = tuple(x);
    t[13] ??= [];
    t[14] ??= false;
    for (let i = 0; i < t.length; i++) out += (i ? "\t" : "") + copyValue(t[i]);
    out += "\n";
  }
  return out;
}

/**
 * One statement for a whole batch, whatever its size. Where the driver offers
 * COPY (PGlite: Postgres runs on the request thread) the batch goes in as COPY
 * text, ≈ 35 % less CPU a row than the INSERT below (bench/http/log-writer.ts).
 * COPY has no ON CONFLICT: a batch it refuses is retried through the INSERT,
 * which skips duplicate ids and fails exactly as before on anything else.
 * The INSERT takes the rows as one jsonb parameter of positional arrays (no
 * keys to repeat and parse per row), so there is no bind-parameter ceiling and
 * both drivers see the same SQL. Cast through text: Bun.SQL double-encodes a
 * string bound as `$n::jsonb`.
 */
export async function insertExecutions(q: Queryable, rows: ExecutionRow[]): Promise<void> {
  if (rows.length === 0) return;
  if (q.copyIn) {
    try {
      await q.copyIn("executions", COLUMNS, copyText(rows));
      return;
    } catch {
      // Fall through: the INSERT reports the real error, or skips a duplicate.
    }
  }
  await q.query(
    `INSERT INTO executions (${COLUMNS})
     SELECT ${READERS} FROM jsonb_array_elements($1::text::jsonb) AS r
     ON CONFLICT (id) DO NOTHING`,
    [JSON.stringify(rows.map(tuple))],
  );
}

/** Console lines to append to one execution's row (a waitUntil tail's, written after the row). */
export interface ConsoleAppend {
  appId: string;
  id: string;
  lines: ConsoleLineRow[];
  truncated: boolean;
}

/**
 * Appends each entry's lines to its execution's console (keyed by app id and
 * id), in one statement for the whole batch like insertExecutions. Returns
 * the ids it found.
 */
export async function appendExecutionConsoles(q: Queryable, appends: ConsoleAppend[]): Promise<string[]> {
  if (appends.length === 0) return [];
  const rows = await q.query<{ id: string }>(
    `UPDATE executions e SET console = e.console || t.lines, console_truncated = e.console_truncated OR t.truncated
     FROM (SELECT (r->>0)::uuid AS app_id, (r->>1)::uuid AS id, r->2 AS lines, (r->>3)::boolean AS truncated
           FROM jsonb_array_elements($1::text::jsonb) AS r) AS t
     WHERE e.app_id = t.app_id AND e.id = t.id RETURNING e.id`,
    [JSON.stringify(appends.map((a) => [a.appId, a.id, a.lines, a.truncated]))],
  );
  return rows.map((r) => r.id);
}

export interface ExecutionCursor {
  limit: number;
  /** Rows strictly older than this (created_at, id) pair. */
  before?: { createdAt: string; id: string } | null;
}

function page(column: "script_id" | "app_id") {
  return async (q: Queryable, ownerId: string, cursor: ExecutionCursor): Promise<ExecutionRow[]> => {
    if (cursor.before) {
      return q.query<ExecutionRow>(
        `SELECT ${COLUMNS} FROM executions WHERE ${column} = $1 AND (created_at, id) < ($2::timestamptz, $3::uuid)
         ORDER BY created_at DESC, id DESC LIMIT $4`,
        [ownerId, cursor.before.createdAt, cursor.before.id, cursor.limit],
      );
    }
    return q.query<ExecutionRow>(
      `SELECT ${COLUMNS} FROM executions WHERE ${column} = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
      [ownerId, cursor.limit],
    );
  };
}

export const listScriptExecutions = page("script_id");
export const listAppExecutions = page("app_id");

export async function findExecution(q: Queryable, id: string): Promise<ExecutionRow | null> {
  const rows = await q.query<ExecutionRow>(`SELECT ${COLUMNS} FROM executions WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

export async function findExecutionsByIds(q: Queryable, ids: string[]): Promise<ExecutionRow[]> {
  if (ids.length === 0) return [];
  return q.query<ExecutionRow>(`SELECT ${COLUMNS} FROM executions WHERE id = ANY($1::uuid[]) ORDER BY created_at`, [ids]);
}

/** Age-based retention. Returns the number of rows removed. */
export async function deleteExecutionsOlderThan(q: Queryable, days: number): Promise<number> {
  const rows = await q.query<{ n: number }>(
    `WITH gone AS (DELETE FROM executions WHERE created_at < now() - make_interval(days => $1) RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [days],
  );
  return rows[0]?.n ?? 0;
}

/** Keep only the newest `keep` rows of every script. Returns the number of rows removed. */
export async function deleteExecutionsBeyondCap(q: Queryable, keep: number): Promise<number> {
  const rows = await q.query<{ n: number }>(
    `WITH heavy AS (
       SELECT script_id FROM executions GROUP BY script_id HAVING count(*) > $1
     ), ranked AS (
       SELECT e.id, row_number() OVER (PARTITION BY e.script_id ORDER BY e.created_at DESC, e.id DESC) AS rn
       FROM executions e JOIN heavy h ON h.script_id = e.script_id
     ), gone AS (
       DELETE FROM executions WHERE id IN (SELECT id FROM ranked WHERE rn > $1) RETURNING 1
     )
     SELECT count(*)::int AS n FROM gone`,
    [keep],
  );
  return rows[0]?.n ?? 0;
}
