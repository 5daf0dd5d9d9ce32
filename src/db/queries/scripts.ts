// Every statement that touches `scripts` and `script_versions`.
import type { Queryable } from "../db.ts";

export interface ScriptRow {
  id: string;
  app_id: string;
  name: string;
  description: string;
  kind: "endpoint" | "module";
  source: string;
  compiled: string;
  imports: string[];
  handlers: Record<string, boolean>;
  limits: Record<string, number>;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface ScriptVersionRow {
  script_id: string;
  version: number;
  source: string;
  compiled: string;
  imports: string[];
  handlers: Record<string, boolean>;
  created_at: string;
}

const COLUMNS =
  "id, app_id, name, description, kind, source, compiled, imports, handlers, limits, version, created_at, updated_at";

export async function findScript(q: Queryable, appId: string, id: string): Promise<ScriptRow | null> {
  const rows = await q.query<ScriptRow>(`SELECT ${COLUMNS} FROM scripts WHERE app_id = $1 AND id = $2`, [appId, id]);
  return rows[0] ?? null;
}

/**
 * Which app a script belongs to, before any app-scoped read: the caller's
 * rights are checked on that app, then the script is loaded with it.
 */
export async function findScriptAppId(q: Queryable, id: string): Promise<string | null> {
  const rows = await q.query<{ app_id: string }>("SELECT app_id FROM scripts WHERE id = $1", [id]);
  return rows[0]?.app_id ?? null;
}

export async function findScriptByName(q: Queryable, appId: string, name: string): Promise<ScriptRow | null> {
  const rows = await q.query<ScriptRow>(`SELECT ${COLUMNS} FROM scripts WHERE app_id = $1 AND name = $2`, [appId, name]);
  return rows[0] ?? null;
}

/** Scripts of the given apps ("all" for every app), by app then name. */
export async function listScripts(q: Queryable, appIds: "all" | string[]): Promise<ScriptRow[]> {
  if (appIds === "all") return q.query<ScriptRow>(`SELECT ${COLUMNS} FROM scripts ORDER BY app_id, name`);
  return q.query<ScriptRow>(
    `SELECT ${COLUMNS} FROM scripts WHERE app_id IN (SELECT jsonb_array_elements_text($1::text::jsonb)::uuid) ORDER BY app_id, name`,
    [JSON.stringify(appIds)],
  );
}

/** What a caller supplies for a new script; the database fills in the rest. */
export type NewScript = Pick<ScriptRow, "name" | "description" | "kind" | "source" | "compiled" | "imports" | "handlers" | "limits">;

export async function insertScript(q: Queryable, appId: string, s: NewScript): Promise<ScriptRow> {
  const rows = await q.query<ScriptRow>(
    `INSERT INTO scripts (app_id, name, description, kind, source, compiled, imports, handlers, limits)
     VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8::text::jsonb, $9::text::jsonb) RETURNING ${COLUMNS}`,
    [appId, s.name, s.description, s.kind, s.source, s.compiled, JSON.stringify(s.imports), JSON.stringify(s.handlers), JSON.stringify(s.limits)],
  );
  return rows[0]!;
}

/** Overwrites every editable column; `version` is set by the caller (bumped when the code changed). */
export async function updateScript(q: Queryable, appId: string, id: string, s: NewScript & { version: number }): Promise<ScriptRow | null> {
  const rows = await q.query<ScriptRow>(
    `UPDATE scripts SET name = $3, description = $4, kind = $5, source = $6, compiled = $7, imports = $8::text::jsonb,
            handlers = $9::text::jsonb, limits = $10::text::jsonb, version = $11, updated_at = now()
      WHERE app_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
    [appId, id, s.name, s.description, s.kind, s.source, s.compiled, JSON.stringify(s.imports), JSON.stringify(s.handlers), JSON.stringify(s.limits), s.version],
  );
  return rows[0] ?? null;
}

export async function deleteScript(q: Queryable, appId: string, id: string): Promise<boolean> {
  const rows = await q.query("DELETE FROM scripts WHERE app_id = $1 AND id = $2 RETURNING id", [appId, id]);
  return rows.length > 0;
}

/** Locks the script row for a read-modify-write of its version. */
export async function lockScript(q: Queryable, appId: string, id: string): Promise<ScriptRow | null> {
  const rows = await q.query<ScriptRow>(`SELECT ${COLUMNS} FROM scripts WHERE app_id = $1 AND id = $2 FOR UPDATE`, [appId, id]);
  return rows[0] ?? null;
}

export async function insertScriptVersion(
  q: Queryable,
  appId: string,
  v: { script_id: string; version: number; source: string; compiled: string; imports: string[]; handlers: Record<string, boolean> },
): Promise<void> {
  await q.query(
    `INSERT INTO script_versions (script_id, app_id, version, source, compiled, imports, handlers)
     VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7::text::jsonb)`,
    [v.script_id, appId, v.version, v.source, v.compiled, JSON.stringify(v.imports), JSON.stringify(v.handlers)],
  );
}

/** Newest first. */
export async function listScriptVersions(q: Queryable, appId: string, scriptId: string): Promise<ScriptVersionRow[]> {
  return q.query<ScriptVersionRow>(
    `SELECT script_id, version, source, compiled, imports, handlers, created_at FROM script_versions
      WHERE app_id = $1 AND script_id = $2 ORDER BY version DESC`,
    [appId, scriptId],
  );
}

export async function findScriptVersion(q: Queryable, appId: string, scriptId: string, version: number): Promise<ScriptVersionRow | null> {
  const rows = await q.query<ScriptVersionRow>(
    `SELECT script_id, version, source, compiled, imports, handlers, created_at FROM script_versions
      WHERE app_id = $1 AND script_id = $2 AND version = $3`,
    [appId, scriptId, version],
  );
  return rows[0] ?? null;
}
