// Admin sessions: an opaque random token handed to the client, only its digest
// stored; sliding expiry (config.sessionTtlHours) renewed as it is used.
// Resolved sessions sit in a short-lived LRU, like API keys: a query per request
// (≈ 4 ms on PGlite under load) would dwarf a sandboxed request when a logged-in
// browser calls user routes. Anything that ends sessions clears it (here and,
// through NOTIFY, on every node); its TTL bounds the worst case.
import { LRUCache } from "lru-cache";
import type { Db } from "../db/db.ts";
import {
  deleteExpiredSessions, deleteSessionByHash, findLiveSession, insertSession, touchSession,
  type SessionLookup,
} from "../db/queries/sessions.ts";
import { newSessionToken, sha256Hex } from "./tokens.ts";

/** Renew at most once a minute per session: a request burst must not turn into a write burst. */
const SLIDE_EVERY_MS = 60_000;
/** How long a resolved session is trusted without asking the database again. */
export const SESSION_CACHE_TTL_MS = 10_000;

export interface Sessions {
  create(userId: string, meta: { ip: string | null; userAgent: string | null }): Promise<{ token: string; id: string; expiresAt: string }>;
  /** The live session behind `token` (renewing its expiry), or null. */
  resolve(token: string): Promise<SessionLookup | null>;
  revoke(token: string): Promise<void>;
  /** Forget every cached session (a user was deactivated, deleted or changed role). */
  clear(): void;
}

export function createSessions({ db, ttlHours, now = Date.now }: { db: Db; ttlHours: number; now?: () => number }): Sessions {
  const cache = new LRUCache<string, SessionLookup>({ max: 1_000, ttl: SESSION_CACHE_TTL_MS });
  return {
    async create(userId, meta) {
      // Sweep expired rows here rather than in a timer: logins are rare and the index makes it cheap.
      await deleteExpiredSessions(db);
      const token = newSessionToken();
      const row = await insertSession(db, {
        tokenHash: sha256Hex(token),
        userId,
        ttlHours,
        ip: meta.ip,
        userAgent: meta.userAgent?.slice(0, 512) ?? null,
      });
      return { token, id: row.id, expiresAt: row.expires_at };
    },
    async resolve(token) {
      if (!token || token.length > 256) return null;
      const digest = sha256Hex(token);
      const hit = cache.get(digest);
      if (hit) {
        if (Date.parse(hit.expires_at) > now()) return hit;
        cache.delete(digest);
      }
      const session = await findLiveSession(db, digest);
      if (!session) return null;
      if (now() - Date.parse(session.last_seen_at) > SLIDE_EVERY_MS) {
        await touchSession(db, session.id, ttlHours);
      }
      cache.set(digest, session);
      return session;
    },
    async revoke(token) {
      const digest = sha256Hex(token);
      cache.delete(digest);
      await deleteSessionByHash(db, digest);
    },
    clear: () => cache.clear(),
  };
}
