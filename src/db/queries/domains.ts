// Every statement that touches `domains`.
import type { Queryable } from "../db.ts";

export interface DomainRow {
  id: string;
  app_id: string;
  domain: string;
  created_at: string;
}

const COLUMNS = "id, app_id, domain, created_at";

export async function listDomains(q: Queryable, appId: string): Promise<DomainRow[]> {
  return q.query<DomainRow>(`SELECT ${COLUMNS} FROM domains WHERE app_id = $1 ORDER BY domain`, [appId]);
}

/** Every claim of every app: what the in-memory host table is built from. */
export async function listAllDomains(q: Queryable): Promise<DomainRow[]> {
  return q.query<DomainRow>(`SELECT ${COLUMNS} FROM domains ORDER BY domain`);
}

export async function findDomain(q: Queryable, appId: string, id: string): Promise<DomainRow | null> {
  const rows = await q.query<DomainRow>(`SELECT ${COLUMNS} FROM domains WHERE app_id = $1 AND id = $2`, [appId, id]);
  return rows[0] ?? null;
}

/** Who claims `domain`, across apps: for naming the other app in a 409. */
export async function findDomainClaim(
  q: Queryable,
  domain: string,
): Promise<{ id: string; app_id: string; app_slug: string } | null> {
  const rows = await q.query<{ id: string; app_id: string; app_slug: string }>(
    "SELECT d.id, d.app_id, a.slug AS app_slug FROM domains d JOIN apps a ON a.id = d.app_id WHERE d.domain = $1",
    [domain],
  );
  return rows[0] ?? null;
}

export async function insertDomain(q: Queryable, appId: string, domain: string): Promise<DomainRow> {
  const rows = await q.query<DomainRow>(
    `INSERT INTO domains (app_id, domain) VALUES ($1, $2) RETURNING ${COLUMNS}`,
    [appId, domain],
  );
  return rows[0]!;
}

export async function deleteDomain(q: Queryable, appId: string, id: string): Promise<boolean> {
  const rows = await q.query("DELETE FROM domains WHERE app_id = $1 AND id = $2 RETURNING id", [appId, id]);
  return rows.length > 0;
}
