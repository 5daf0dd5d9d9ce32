// Numbered migrations, imported as text so the compiled binary carries them
// (STYLE §5). Applied at start inside one transaction holding an advisory
// lock, so several nodes starting at once on one server apply each file once.
import type { Logger } from "../log.ts";
import type { Db } from "./db.ts";
import core from "../../migrations/0001_core.sql" with { type: "text" };
import routesExecutions from "../../migrations/0002_routes_executions.sql" with { type: "text" };
import identity from "../../migrations/0003_identity.sql" with { type: "text" };

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Core owns this list (team brief): append each new file here, in order. */
export const MIGRATIONS: Migration[] = [
  { version: 1, name: "0001_core", sql: core },
  { version: 2, name: "0002_routes_executions", sql: routesExecutions },
  { version: 3, name: "0003_identity", sql: identity },
];

/** The schema version this build expects: the highest migration it carries. */
export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/** Arbitrary, fixed: "picloud:migrate" folded to a bigint-safe key. */
const LOCK_KEY = 7_210_332_908;

/** Applies pending migrations; returns the schema version now in the database. */
export async function migrate(db: Db, log: Logger, migrations: Migration[] = MIGRATIONS): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY]);
    await tx.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
    );
    const applied = new Set(
      (await tx.query<{ version: number }>("SELECT version FROM schema_migrations")).map((r) => r.version),
    );
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
      log.info("migration applied", { version: m.version, name: m.name });
    }
    const [row] = await tx.query<{ v: number | null }>("SELECT max(version) AS v FROM schema_migrations");
    const version = row?.v ?? 0;
    if (version > SCHEMA_VERSION) {
      // A newer PiCloud migrated this database; running older code against it could corrupt data.
      throw new Error(`database schema ${version} is newer than this build (${SCHEMA_VERSION}); upgrade PiCloud`);
    }
    return version;
  });
}
