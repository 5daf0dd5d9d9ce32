// Every statement that touches `api_keys`. Rows handed to HTTP never carry the hash.
import type { InstanceRole, Scope } from "../../roles.ts";
import type { Queryable } from "../db.ts";

export interface ApiKeyRow {
  id: string;
  user_id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  app_id: string | null;
  expires_at: string | null;
  last_used_at: string | null;
  created_at: string;
}

/** What the verifier needs: the hash, and the owner's current standing. */
export interface ApiKeyVerification {
  id: string;
  user_id: string;
  secret_hash: string;
  scopes: Scope[];
  app_id: string | null;
  expires_at: string | null;
  username: string;
  instance_role: InstanceRole;
}

const COLUMNS = "id, user_id, name, prefix, scopes, app_id, expires_at, last_used_at, created_at";

export async function insertApiKey(
  q: Queryable,
  k: { userId: string; name: string; prefix: string; secretHash: string; scopes: Scope[]; appId: string | null; expiresAt: string | null },
): Promise<ApiKeyRow> {
  const rows = await q.query<ApiKeyRow>(
    `INSERT INTO api_keys (user_id, name, prefix, secret_hash, scopes, app_id, expires_at)
     VALUES ($1, $2, $3, $4, $5::text[], $6, $7) RETURNING ${COLUMNS}`,
    [k.userId, k.name, k.prefix, k.secretHash, k.scopes, k.appId, k.expiresAt],
  );
  return rows[0]!;
}

/** The live key with this prefix whose owner is active, or null. */
export async function findLiveApiKeyByPrefix(q: Queryable, prefix: string): Promise<ApiKeyVerification | null> {
  const rows = await q.query<ApiKeyVerification>(
    `SELECT k.id, k.user_id, k.secret_hash, k.scopes, k.app_id, k.expires_at, u.username, u.instance_role
       FROM api_keys k JOIN users u ON u.id = k.user_id
      WHERE k.prefix = $1 AND (k.expires_at IS NULL OR k.expires_at > now()) AND u.is_active`,
    [prefix],
  );
  return rows[0] ?? null;
}

export async function listApiKeysForUser(q: Queryable, userId: string): Promise<ApiKeyRow[]> {
  return q.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE user_id = $1 ORDER BY created_at, id`, [userId]);
}

/** Deletes the caller's own key; someone else's is indistinguishable from a missing one. */
export async function deleteApiKeyOfUser(q: Queryable, id: string, userId: string): Promise<boolean> {
  const rows = await q.query("DELETE FROM api_keys WHERE id = $1 AND user_id = $2 RETURNING id", [id, userId]);
  return rows.length > 0;
}

export async function touchApiKey(q: Queryable, id: string): Promise<void> {
  await q.query("UPDATE api_keys SET last_used_at = now() WHERE id = $1", [id]);
}

/** Ends every still-live key of a user (deactivation); rows stay for the record. */
export async function expireApiKeysForUser(q: Queryable, userId: string): Promise<void> {
  await q.query(
    "UPDATE api_keys SET expires_at = now() WHERE user_id = $1 AND (expires_at IS NULL OR expires_at > now())",
    [userId],
  );
}
