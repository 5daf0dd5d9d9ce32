// The database seam: one small interface, two drivers (pglite.ts, postgres.ts).
// Both return the same values: timestamps as ISO-8601 strings, bigint as number
// (when safe), jsonb as parsed JSON — settled here, once (STYLE §5).

/** The database or a transaction: what query modules in db/queries/ take. */
export interface Queryable {
  /**
   * Parameterised SQL only (`$1`, `$2`…); never interpolate values into `sql`.
   * JSON goes in as a string cast through text: `$1::text::jsonb` with `JSON.stringify(v)`.
   * (A bare `$1::jsonb` makes Bun.SQL encode the string again, storing a JSON string scalar.)
   */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Several `;`-separated statements without parameters (migrations). Returns nothing. */
  exec(sql: string): Promise<void>;
  /**
   * Bulk load: `COPY <table> (<columns>) FROM …` fed `data` in COPY's text format.
   * Only where it is cheaper than a parameterised INSERT (PGlite: Postgres runs
   * on this thread, and COPY skips the per-row expression work); callers fall
   * back to `query` when it is absent.
   */
  copyIn?(table: string, columns: string, data: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly driver: "pglite" | "postgres";
  /** Runs `fn` in one transaction; rolls back if it throws. Keep it short: PGlite runs one query at a time. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Subscribe to NOTIFY on `channel`; returns an unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

/** A database error with the server's SQLSTATE, the same on both drivers (e.g. `23505` unique violation). */
export class DbError extends Error {
  constructor(
    message: string,
    readonly sqlState: string,
    readonly constraint: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "DbError";
  }
}

export const isUniqueViolation = (e: unknown, constraint?: string): e is DbError =>
  e instanceof DbError && e.sqlState === "23505" && (constraint === undefined || e.constraint === constraint);
