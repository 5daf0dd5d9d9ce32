// Every statement that touches `app_members`.
import type { AppRole } from "../../roles.ts";
import type { Queryable } from "../db.ts";
import type { UserRow } from "./users.ts";

export interface MemberRow {
  app_id: string;
  user_id: string;
  role: AppRole;
  created_at: string;
  updated_at: string;
}

/** A membership with its user's details, as the members list shows it. */
export type MemberDetail = MemberRow & Pick<UserRow, "username" | "email" | "instance_role" | "is_active">;

const COLUMNS = "app_id, user_id, role, created_at, updated_at";

export async function findMembershipRole(q: Queryable, appId: string, userId: string): Promise<AppRole | null> {
  const rows = await q.query<{ role: AppRole }>(
    "SELECT role FROM app_members WHERE app_id = $1 AND user_id = $2",
    [appId, userId],
  );
  return rows[0]?.role ?? null;
}

export async function listMemberAppIds(q: Queryable, userId: string): Promise<string[]> {
  const rows = await q.query<{ app_id: string }>(
    "SELECT app_id FROM app_members WHERE user_id = $1 ORDER BY app_id",
    [userId],
  );
  return rows.map((r) => r.app_id);
}

/** One query, joined with users (no N+1 for the members table). */
export async function listMembers(q: Queryable, appId: string): Promise<MemberDetail[]> {
  return q.query<MemberDetail>(
    `SELECT m.app_id, m.user_id, m.role, m.created_at, m.updated_at,
            u.username, u.email, u.instance_role, u.is_active
       FROM app_members m JOIN users u ON u.id = m.user_id
      WHERE m.app_id = $1 ORDER BY lower(u.username)`,
    [appId],
  );
}

export async function findMember(q: Queryable, appId: string, userId: string): Promise<MemberDetail | null> {
  const rows = await q.query<MemberDetail>(
    `SELECT m.app_id, m.user_id, m.role, m.created_at, m.updated_at,
            u.username, u.email, u.instance_role, u.is_active
       FROM app_members m JOIN users u ON u.id = m.user_id
      WHERE m.app_id = $1 AND m.user_id = $2`,
    [appId, userId],
  );
  return rows[0] ?? null;
}

/** Insert unless present, in one statement: null means "already a member" (no check-then-write race). */
export async function tryInsertMember(q: Queryable, appId: string, userId: string, role: AppRole): Promise<MemberRow | null> {
  const rows = await q.query<MemberRow>(
    `INSERT INTO app_members (app_id, user_id, role) VALUES ($1, $2, $3)
     ON CONFLICT (app_id, user_id) DO NOTHING RETURNING ${COLUMNS}`,
    [appId, userId, role],
  );
  return rows[0] ?? null;
}

/** Update only an existing membership: null means there was none. */
export async function updateMemberRole(q: Queryable, appId: string, userId: string, role: AppRole): Promise<MemberRow | null> {
  const rows = await q.query<MemberRow>(
    `UPDATE app_members SET role = $3, updated_at = now() WHERE app_id = $1 AND user_id = $2 RETURNING ${COLUMNS}`,
    [appId, userId, role],
  );
  return rows[0] ?? null;
}

export async function deleteMember(q: Queryable, appId: string, userId: string): Promise<void> {
  await q.query("DELETE FROM app_members WHERE app_id = $1 AND user_id = $2", [appId, userId]);
}
