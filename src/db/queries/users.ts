// Every statement that touches `users`.
import type { InstanceRole } from "../../roles.ts";
import type { Queryable } from "../db.ts";

export interface UserRow {
  id: string;
  username: string;
  email: string | null;
  instance_role: InstanceRole;
  is_active: boolean;
  created_at: string;
  updated_at: string;
}
export interface UserWithHash extends UserRow {
  password_hash: string;
}

const COLUMNS = "id, username, email, instance_role, is_active, created_at, updated_at";

export async function countUsers(q: Queryable): Promise<number> {
  const rows = await q.query<{ n: number | string }>("SELECT count(*)::int AS n FROM users");
  return Number(rows[0]?.n ?? 0);
}

export async function findUser(q: Queryable, id: string): Promise<UserRow | null> {
  const rows = await q.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** Locks the row for the rest of the transaction (guards read, then write). */
export async function findUserForUpdate(q: Queryable, id: string): Promise<UserRow | null> {
  const rows = await q.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1 FOR UPDATE`, [id]);
  return rows[0] ?? null;
}

export async function findUserByUsername(q: Queryable, username: string): Promise<UserWithHash | null> {
  const rows = await q.query<UserWithHash>(
    `SELECT ${COLUMNS}, password_hash FROM users WHERE lower(username) = lower($1)`,
    [username],
  );
  return rows[0] ?? null;
}

export async function findUserByEmail(q: Queryable, email: string): Promise<UserRow | null> {
  const rows = await q.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE lower(email) = lower($1)`, [email]);
  return rows[0] ?? null;
}

export async function listUsers(q: Queryable): Promise<UserRow[]> {
  return q.query<UserRow>(`SELECT ${COLUMNS} FROM users ORDER BY lower(username)`);
}

export async function insertUser(
  q: Queryable,
  u: { username: string; email: string | null; passwordHash: string; instanceRole: InstanceRole },
): Promise<UserRow> {
  const rows = await q.query<UserRow>(
    `INSERT INTO users (username, email, password_hash, instance_role) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
    [u.username, u.email, u.passwordHash, u.instanceRole],
  );
  return rows[0]!;
}

export interface UserChanges {
  username?: string;
  email?: string | null;
  passwordHash?: string;
  instanceRole?: InstanceRole;
  isActive?: boolean;
}

export async function updateUser(q: Queryable, id: string, c: UserChanges): Promise<UserRow | null> {
  const sets: string[] = [];
  const params: unknown[] = [id];
  const set = (column: string, value: unknown) => {
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  };
  if (c.username !== undefined) set("username", c.username);
  if (c.email !== undefined) set("email", c.email);
  if (c.passwordHash !== undefined) set("password_hash", c.passwordHash);
  if (c.instanceRole !== undefined) set("instance_role", c.instanceRole);
  if (c.isActive !== undefined) set("is_active", c.isActive);
  if (sets.length === 0) return findUser(q, id);
  const rows = await q.query<UserRow>(
    `UPDATE users SET ${sets.join(", ")}, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
    params,
  );
  return rows[0] ?? null;
}

export async function deleteUser(q: Queryable, id: string): Promise<boolean> {
  const rows = await q.query("DELETE FROM users WHERE id = $1 RETURNING id", [id]);
  return rows.length > 0;
}

/** Active owners, locked: the last-owner guard counts them inside its transaction. */
export async function lockActiveOwners(q: Queryable): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    "SELECT id FROM users WHERE instance_role = 'owner' AND is_active ORDER BY id FOR UPDATE",
  );
  return rows.map((r) => r.id);
}

/**
 * Up to `limit` active instance members, not yet in the app, whose username or
 * email starts with `prefix` (case-insensitive; LIKE wildcards in it are literal).
 * Only id and username come back: the caller may not be allowed to see emails.
 */
export async function searchMemberCandidates(
  q: Queryable,
  appId: string,
  prefix: string,
  limit: number,
): Promise<{ id: string; username: string }[]> {
  const pattern = prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`) + "%";
  return q.query<{ id: string; username: string }>(
    `SELECT u.id, u.username FROM users u
      WHERE u.is_active AND u.instance_role = 'member'
        AND (lower(u.username) LIKE $2 ESCAPE '\\' OR lower(coalesce(u.email, '')) LIKE $2 ESCAPE '\\')
        AND NOT EXISTS (SELECT 1 FROM app_members m WHERE m.app_id = $1 AND m.user_id = u.id)
      ORDER BY lower(u.username) LIMIT $3`,
    [appId, pattern, limit],
  );
}
