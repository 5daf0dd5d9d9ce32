// API keys: minted by a logged-in user for themselves, listed without secrets,
// deleted by their owner only (DESIGN §5, §7).
import { mintApiKey } from "../auth/api-keys.ts";
import { isScope, type Principal, type Scope } from "../auth/capabilities.ts";
import { isUuid } from "../auth/ids.ts";
import type { Auth } from "../auth/index.ts";
import { type Db, isUniqueViolation } from "../db/db.ts";
import { type ApiKeyRow, deleteApiKeyOfUser, insertApiKey, listApiKeysForUser } from "../db/queries/api-keys.ts";
import { PicloudError, invalid, notFound } from "../errors.ts";
import { objectBody } from "./object-body.ts";

export type ApiKeyView = Omit<ApiKeyRow, "user_id">;
export type MintedApiKey = ApiKeyView & {
  /** The raw `pic_…` token: returned here once, never stored nor shown again. */
  token: string;
};

const view = ({ user_id: _, ...k }: ApiKeyRow): ApiKeyView => k;

/**
 * Keys are managed with a session only: a key that could mint keys could mint
 * itself a wider or unbound one, or outlive its own expiry.
 */
function requireSession(principal: Principal | null): Principal {
  if (!principal) throw new PicloudError("unauthorized", "authentication required");
  if (principal.via.kind !== "session") throw new PicloudError("forbidden", "API keys are managed with a login session, not with an API key");
  return principal;
}

export function createApiKeys({ db, auth, appExists }: {
  db: Db;
  auth: Auth;
  /** Whether an app with this id exists (core's apps table). */
  appExists: (appId: string) => Promise<boolean>;
}) {
  return {
    async create(principal: Principal | null, input: unknown): Promise<MintedApiKey> {
      const p = requireSession(principal);
      const b = objectBody(input);
      if (typeof b.name !== "string" || b.name.trim() === "" || b.name.length > 100) {
        throw invalid("name", "required, at most 100 characters");
      }
      if (!Array.isArray(b.scopes) || b.scopes.length === 0) throw invalid("scopes", "a non-empty list of scopes");
      const bad = b.scopes.find((s) => !isScope(s));
      if (bad !== undefined) throw invalid("scopes", `unknown scope ${JSON.stringify(bad)}`);
      const scopes = [...new Set(b.scopes as Scope[])];
      let appId: string | null = null;
      if (b.app_id !== undefined && b.app_id !== null) {
        // An app the caller cannot see is answered exactly like one that does not exist.
        if (!isUuid(b.app_id) || !(await appExists(b.app_id)) || !(await auth.appRole(p, b.app_id))) {
          throw invalid("app_id", "no such app");
        }
        appId = b.app_id;
      }
      if (appId && scopes.some((s) => s.startsWith("instance:"))) {
        throw invalid("scopes", "a key bound to one app cannot carry instance:* scopes");
      }
      let expiresAt: string | null = null;
      if (b.expires_at !== undefined && b.expires_at !== null) {
        const t = typeof b.expires_at === "string" ? Date.parse(b.expires_at) : Number.NaN;
        if (Number.isNaN(t)) throw invalid("expires_at", "must be an ISO-8601 timestamp");
        if (t <= Date.now()) throw invalid("expires_at", "must be in the future");
        expiresAt = new Date(t).toISOString();
      }
      // A 60-bit prefix collision is vanishingly rare; retry once rather than fail.
      for (let attempt = 0; ; attempt++) {
        const minted = mintApiKey();
        try {
          const row = await insertApiKey(db, {
            userId: p.userId, name: b.name.trim(), prefix: minted.prefix, secretHash: minted.secretHash, scopes, appId, expiresAt,
          });
          return { ...view(row), token: minted.token };
        } catch (e) {
          if (attempt < 2 && isUniqueViolation(e, "api_keys_prefix_key")) continue;
          throw e;
        }
      }
    },

    async list(principal: Principal | null): Promise<ApiKeyView[]> {
      const p = requireSession(principal);
      return (await listApiKeysForUser(db, p.userId)).map(view);
    },

    async remove(principal: Principal | null, id: string): Promise<void> {
      const p = requireSession(principal);
      if (!isUuid(id) || !(await deleteApiKeyOfUser(db, id, p.userId))) throw notFound("API key");
      await auth.invalidate();
    },
  };
}

export type ApiKeys = ReturnType<typeof createApiKeys>;
