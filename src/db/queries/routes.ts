// Every statement that touches `routes` (STYLE §5).
import type { Queryable } from "../db.ts";

/** The methods the `routes.method` CHECK allows; ANY matches every verb. */
export const ROUTE_METHODS = ["ANY", "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type RouteMethod = (typeof ROUTE_METHODS)[number];
export type HostKind = "any" | "strict" | "wildcard";
export type PathKind = "exact" | "prefix" | "param";

export interface RouteRow {
  id: string;
  app_id: string;
  script_id: string;
  method: RouteMethod;
  host_kind: HostKind;
  host: string;
  path_kind: PathKind;
  path: string;
  created_at: string;
}

/** A normalised route (services/route-patterns.ts builds it): what is stored and what conflicts. */
export interface RouteKey {
  method: RouteMethod;
  hostKind: HostKind;
  /** '' for host kind any; lower-case host, or `*.suffix` for wildcard. */
  host: string;
  pathKind: PathKind;
  /** Canonical (percent-encoded) path; prefix paths end in `/*`. */
  path: string;
  /** `path` with parameter names erased: the conflict key. */
  pathShape: string;
}

const COLUMNS = "id, app_id, script_id, method, host_kind, host, path_kind, path, created_at";

/** Every route of every app: the route table's source. */
export async function listAllRoutes(q: Queryable): Promise<RouteRow[]> {
  return q.query<RouteRow>(`SELECT ${COLUMNS} FROM routes ORDER BY created_at, id`);
}

export async function listScriptRoutes(q: Queryable, appId: string, scriptId: string): Promise<RouteRow[]> {
  return q.query<RouteRow>(`SELECT ${COLUMNS} FROM routes WHERE app_id = $1 AND script_id = $2 ORDER BY created_at, id`, [
    appId,
    scriptId,
  ]);
}

export async function findRoute(q: Queryable, id: string): Promise<RouteRow | null> {
  const rows = await q.query<RouteRow>(`SELECT ${COLUMNS} FROM routes WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** The route of this app with the same conflict key, if any. */
export async function findConflictingRoute(q: Queryable, appId: string, key: RouteKey): Promise<RouteRow | null> {
  const rows = await q.query<RouteRow>(
    `SELECT ${COLUMNS} FROM routes
     WHERE app_id = $1 AND method = $2 AND host_kind = $3 AND host = $4 AND path_kind = $5 AND path_shape = $6`,
    [appId, key.method, key.hostKind, key.host, key.pathKind, key.pathShape],
  );
  return rows[0] ?? null;
}

export async function insertRoute(q: Queryable, appId: string, scriptId: string, key: RouteKey): Promise<RouteRow> {
  const rows = await q.query<RouteRow>(
    `INSERT INTO routes (app_id, script_id, method, host_kind, host, path_kind, path, path_shape)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
    [appId, scriptId, key.method, key.hostKind, key.host, key.pathKind, key.path, key.pathShape],
  );
  return rows[0]!;
}

export async function deleteRoute(q: Queryable, appId: string, id: string): Promise<boolean> {
  const rows = await q.query("DELETE FROM routes WHERE app_id = $1 AND id = $2 RETURNING id", [appId, id]);
  return rows.length > 0;
}
