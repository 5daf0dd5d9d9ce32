// Admin sessions: an opaque random token handed to the client, only its digest
// stored; sliding expiry (config.sessionTtlHours) renewed as it is used.
import type { Db, Queryable } from "../db/db.ts";
import {
  deleteExpiredSessions, deleteSessionByHash, deleteSessionsForUser, findLiveSession, insertSession, touchSession,
  type SessionLookup,
} from "../db/queries/sessions.ts";
import { newSessionToken, sha256Hex } from "./tokens.ts";

/** Renew at most once a minute per session: a request burst must not turn into a write burst. */
const SLIDE_EVERY_MS = 60_000;

export interface Sessions {
  create(userId: string, meta: { ip: string | null; userAgent: string | null }): Promise<{ token: string; id: string; expiresAt: string }>;
  /** The live session behind `token` (renewing its expiry), or null. */
  resolve(token: string): Promise<SessionLookup | null>;
  revoke(token: string): Promise<void>;
  revokeAllForUser(q: Queryable, userId: string): Promise<void>;
}

export function createSessions({ db, ttlHours, now = Date.now }: { db: Db; ttlHours: number; now?: () => number }): Sessions {
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
      const session = await findLiveSession(db, sha256Hex(token));
      if (session && now() - Date.parse(session.last_seen_at) > SLIDE_EVERY_MS) {
        await touchSession(db, session.id, ttlHours);
      }
      return session;
    },
    async revoke(token) {
      await deleteSessionByHash(db, sha256Hex(token));
    },
    revokeAllForUser: (q, userId) => deleteSessionsForUser(q, userId),
  };
}
