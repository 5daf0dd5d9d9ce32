// Every statement that touches `apps` and `app_slug_history`.
import type { Queryable } from "../db.ts";

export interface AppRow {
  id: string;
  slug: string;
  name: string;
  description: string;
  created_at: string;
  updated_at: string;
}

const COLUMNS = "id, slug, name, description, created_at, updated_at";

export async function findApp(q: Queryable, id: string): Promise<AppRow | null> {
  const rows = await q.query<AppRow>(`SELECT ${COLUMNS} FROM apps WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

export async function findAppBySlug(q: Queryable, slug: string): Promise<AppRow | null> {
  const rows = await q.query<AppRow>(`SELECT ${COLUMNS} FROM apps WHERE slug = $1`, [slug]);
  return rows[0] ?? null;
}

/** The app that once had `slug`, if it has been renamed since. */
export async function findAppByOldSlug(q: Queryable, slug: string): Promise<AppRow | null> {
  const rows = await q.query<AppRow>(
    `SELECT ${COLUMNS.split(", ").map((c) => `a.${c}`).join(", ")}
       FROM app_slug_history h JOIN apps a ON a.id = h.app_id WHERE h.slug = $1`,
    [slug],
  );
  return rows[0] ?? null;
}

/** All apps, or only those in `ids` (the caller's visible apps), by slug. */
export async function listApps(q: Queryable, ids: "all" | string[]): Promise<AppRow[]> {
  if (ids === "all") return q.query<AppRow>(`SELECT ${COLUMNS} FROM apps ORDER BY slug`);
  return q.query<AppRow>(`SELECT ${COLUMNS} FROM apps WHERE id IN (SELECT jsonb_array_elements_text($1::text::jsonb)::uuid) ORDER BY slug`, [
    JSON.stringify(ids),
  ]);
}

export async function insertApp(
  q: Queryable,
  app: { slug: string; name: string; description: string },
): Promise<AppRow> {
  const rows = await q.query<AppRow>(
    `INSERT INTO apps (slug, name, description) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
    [app.slug, app.name, app.description],
  );
  return rows[0]!;
}

export async function updateApp(
  q: Queryable,
  id: string,
  patch: { slug: string; name: string; description: string },
): Promise<AppRow | null> {
  const rows = await q.query<AppRow>(
    `UPDATE apps SET slug = $2, name = $3, description = $4, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, patch.slug, patch.name, patch.description],
  );
  return rows[0] ?? null;
}

export async function deleteApp(q: Queryable, id: string): Promise<boolean> {
  const rows = await q.query("DELETE FROM apps WHERE id = $1 RETURNING id", [id]);
  return rows.length > 0;
}

/** Remember `slug` as a former name of app `appId` (a slug it takes back is removed by `deleteSlugHistory`). */
export async function insertSlugHistory(q: Queryable, appId: string, slug: string): Promise<void> {
  await q.query(
    "INSERT INTO app_slug_history (slug, app_id) VALUES ($1, $2) ON CONFLICT (slug) DO UPDATE SET app_id = EXCLUDED.app_id, created_at = now()",
    [slug, appId],
  );
}

export async function deleteSlugHistory(q: Queryable, appId: string, slug: string): Promise<void> {
  await q.query("DELETE FROM app_slug_history WHERE app_id = $1 AND slug = $2", [appId, slug]);
}

/** Which app holds `slug`, live or as a redirect. */
export async function findSlugHolder(
  q: Queryable,
  slug: string,
): Promise<{ app_id: string; slug: string; current: boolean } | null> {
  const rows = await q.query<{ app_id: string; slug: string; current: boolean }>(
    `SELECT id AS app_id, slug, true AS current FROM apps WHERE slug = $1
     UNION ALL
     SELECT h.app_id, a.slug, false AS current FROM app_slug_history h JOIN apps a ON a.id = h.app_id WHERE h.slug = $1`,
    [slug],
  );
  return rows[0] ?? null;
}

/** What a forced delete would take with it. */
export async function countAppContents(q: Queryable, appId: string): Promise<{ script_count: number; domains: string[] }> {
  const [row] = await q.query<{ script_count: number; domains: string[] | null }>(
    `SELECT (SELECT count(*)::int FROM scripts WHERE app_id = $1) AS script_count,
            (SELECT coalesce(jsonb_agg(domain ORDER BY domain), '[]'::jsonb) FROM domains WHERE app_id = $1) AS domains`,
    [appId],
  );
  return { script_count: row?.script_count ?? 0, domains: row?.domains ?? [] };
}

export async function getMeta(q: Queryable, key: string): Promise<unknown> {
  const rows = await q.query<{ value: unknown }>("SELECT value FROM picloud_meta WHERE key = $1", [key]);
  return rows[0]?.value;
}

export async function setMeta(q: Queryable, key: string, value: unknown): Promise<void> {
  await q.query(
    "INSERT INTO picloud_meta (key, value) VALUES ($1, $2::text::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
    [key, JSON.stringify(value)],
  );
}
