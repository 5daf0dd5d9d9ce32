// Every statement that touches `sessions`.
import type { InstanceRole } from "../../roles.ts";
import type { Queryable } from "../db.ts";

export interface SessionLookup {
  id: string;
  user_id: string;
  last_seen_at: string;
  expires_at: string;
  username: string;
  instance_role: InstanceRole;
}

export async function insertSession(
  q: Queryable,
  s: { tokenHash: string; userId: string; ttlHours: number; ip: string | null; userAgent: string | null },
): Promise<{ id: string; expires_at: string }> {
  const rows = await q.query<{ id: string; expires_at: string }>(
    `INSERT INTO sessions (token_hash, user_id, expires_at, ip, user_agent)
     VALUES ($1, $2, now() + make_interval(hours => $3::int), $4, $5) RETURNING id, expires_at`,
    [s.tokenHash, s.userId, s.ttlHours, s.ip, s.userAgent],
  );
  return rows[0]!;
}

/** A live session of an active user, or null. */
export async function findLiveSession(q: Queryable, tokenHash: string): Promise<SessionLookup | null> {
  const rows = await q.query<SessionLookup>(
    `SELECT s.id, s.user_id, s.last_seen_at, s.expires_at, u.username, u.instance_role
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.expires_at > now() AND u.is_active`,
    [tokenHash],
  );
  return rows[0] ?? null;
}

/** Sliding expiry: a used session lives another `ttlHours`. */
export async function touchSession(q: Queryable, id: string, ttlHours: number): Promise<void> {
  await q.query(
    "UPDATE sessions SET last_seen_at = now(), expires_at = now() + make_interval(hours => $2::int) WHERE id = $1",
    [id, ttlHours],
  );
}

export async function deleteSessionByHash(q: Queryable, tokenHash: string): Promise<void> {
  await q.query("DELETE FROM sessions WHERE token_hash = $1", [tokenHash]);
}

export async function deleteSession(q: Queryable, id: string): Promise<void> {
  await q.query("DELETE FROM sessions WHERE id = $1", [id]);
}

export async function deleteSessionsForUser(q: Queryable, userId: string): Promise<void> {
  await q.query("DELETE FROM sessions WHERE user_id = $1", [userId]);
}

export async function deleteExpiredSessions(q: Queryable): Promise<void> {
  await q.query("DELETE FROM sessions WHERE expires_at <= now()");
}
