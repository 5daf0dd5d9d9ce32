// API keys: `pic_` + base32 of 32 random bytes. The first characters after `pic_`
// form an indexed public prefix that finds the row; the SHA-256 of the whole
// token is the stored secret (256 random bits need no slow hash). Verified keys
// sit in a short-lived LRU so a busy CI job costs neither a query nor a hash
// per request; anything that ends a key clears the cache (here and, through
// NOTIFY, on every node sharing the database).
import { randomBytes } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { Db } from "../db/db.ts";
import { findLiveApiKeyByPrefix, touchApiKey } from "../db/queries/api-keys.ts";
import type { Logger } from "../log.ts";
import type { Principal } from "./capabilities.ts";
import { base32, digestsEqual, sha256Hex } from "./tokens.ts";

export const API_KEY_PREFIX = "pic_";
/** Characters of the random part kept in the public prefix: 60 bits, so prefix collisions are practically nil. */
const PREFIX_CHARS = 12;
const TOKEN_SHAPE = /^pic_[a-z2-7]{52}$/;

/** How long a verified key is trusted without asking the database again. */
export const KEY_CACHE_TTL_MS = 10_000;
/** `last_used_at` is written at most this often per key (lazily, off the request path). */
const TOUCH_EVERY_MS = 60_000;

export function mintApiKey(): { token: string; prefix: string; secretHash: string } {
  const body = base32(randomBytes(32)); // 52 characters
  const token = `${API_KEY_PREFIX}${body}`;
  return { token, prefix: `${API_KEY_PREFIX}${body.slice(0, PREFIX_CHARS)}`, secretHash: sha256Hex(token) };
}

export const looksLikeApiKey = (token: string) => token.startsWith(API_KEY_PREFIX);

interface Cached {
  principal: Principal;
  expiresAtMs: number | null;
}

export interface ApiKeyVerifier {
  verify(token: string): Promise<Principal | null>;
  /** Forget every cached verification (a key or user changed). */
  clear(): void;
}

export function createApiKeyVerifier({ db, log, now = Date.now }: { db: Db; log: Logger; now?: () => number }): ApiKeyVerifier {
  const cache = new LRUCache<string, Cached>({ max: 1_000, ttl: KEY_CACHE_TTL_MS });
  // Key ids whose last_used_at was written within TOUCH_EVERY_MS.
  const touched = new LRUCache<string, true>({ max: 10_000, ttl: TOUCH_EVERY_MS });

  const touchLater = (keyId: string) => {
    if (touched.has(keyId)) return;
    touched.set(keyId, true);
    touchApiKey(db, keyId).catch((error) => log.warn("api key last_used_at update failed", { error }));
  };

  return {
    async verify(token) {
      if (!TOKEN_SHAPE.test(token)) return null;
      const digest = sha256Hex(token);
      const t = now();
      const hit = cache.get(digest);
      if (hit) {
        if (hit.expiresAtMs !== null && hit.expiresAtMs <= t) {
          cache.delete(digest);
          return null;
        }
        if (hit.principal.via.kind === "api_key") touchLater(hit.principal.via.keyId);
        return hit.principal;
      }
      const row = await findLiveApiKeyByPrefix(db, token.slice(0, API_KEY_PREFIX.length + PREFIX_CHARS));
      if (!row || !digestsEqual(digest, row.secret_hash)) return null;
      const principal: Principal = {
        userId: row.user_id,
        username: row.username,
        instanceRole: row.instance_role,
        via: { kind: "api_key", keyId: row.id, scopes: [...row.scopes], appId: row.app_id },
      };
      cache.set(digest, { principal, expiresAtMs: row.expires_at ? Date.parse(row.expires_at) : null });
      touchLater(row.id);
      return principal;
    },
    clear: () => cache.clear(),
  };
}
