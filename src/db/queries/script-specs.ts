// The one read the data plane makes, on a script-cache miss: a script's
// runnable form joined with its app's slug. Writes to `scripts` live in core's
// scripts.ts; this module only reads.
import type { Queryable } from "../db.ts";

export interface ScriptSpecRow {
  id: string;
  app_id: string;
  app_slug: string;
  name: string;
  kind: "endpoint" | "module";
  version: number;
  compiled: string;
  limits: Record<string, unknown>;
}

export async function findScriptSpec(q: Queryable, id: string): Promise<ScriptSpecRow | null> {
  const rows = await q.query<ScriptSpecRow>(
    `SELECT s.id, s.app_id, a.slug AS app_slug, s.name, s.kind, s.version, s.compiled, s.limits
     FROM scripts s JOIN apps a ON a.id = s.app_id WHERE s.id = $1`,
    [id],
  );
  return rows[0] ?? null;
}
