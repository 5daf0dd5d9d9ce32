// createAuth: who is calling (authenticate), what they may do (require, appRole,
// visibleAppIds), and the login/logout flow. Implements the Authorizer contract
// every service and HTTP plugin uses (src/auth/capabilities.ts, DESIGN §7).
import type { Config } from "../config.ts";
import type { Db } from "../db/db.ts";
import { findMembershipRole, listMemberAppIds } from "../db/queries/members.ts";
import { findUser, findUserByUsername, type UserRow } from "../db/queries/users.ts";
import { PicloudError, invalid } from "../errors.ts";
import type { Logger } from "../log.ts";
import { createApiKeyVerifier, looksLikeApiKey } from "./api-keys.ts";
import { bootstrapOwner } from "./bootstrap.ts";
import { AUTH_INVALIDATE_CHANNEL } from "./channel.ts";
import {
  APP_ROLE_CAPABILITIES, CAPABILITIES, INSTANCE_ROLE_CAPABILITIES, effectiveAppRole, scopesCover,
  type AppRole, type Authorizer, type Capability, type Principal,
} from "./capabilities.ts";
import { isUuid } from "./ids.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";
import { createSessions } from "./sessions.ts";
import { createLoginThrottle, type LoginThrottle } from "./throttle.ts";

export const SESSION_COOKIE = "picloud_session";
export { AUTH_INVALIDATE_CHANNEL } from "./channel.ts";

/** The user as login and `auth/me` show it. */
export interface MeView {
  id: string;
  username: string;
  email: string | null;
  instance_role: UserRow["instance_role"];
}
export const meView = (u: Pick<UserRow, "id" | "username" | "email" | "instance_role">): MeView => ({
  id: u.id, username: u.username, email: u.email, instance_role: u.instance_role,
});

export interface LoginResult {
  token: string;
  expires_at: string;
  user: MeView;
}

export interface Auth extends Authorizer {
  /** Bootstraps the first owner and subscribes to cross-node invalidations. Call once after migrations. */
  init(): Promise<void>;
  /** Resolves a raw bearer token (API key or session token). */
  authenticateToken(token: string): Promise<Principal | null>;
  login(input: { username: unknown; password: unknown }, meta: { ip: string | null; userAgent: string | null }): Promise<LoginResult>;
  /** The caller as `auth/me` shows it, re-read so a rename or a new email shows at once; null if the user is gone. */
  me(principal: Principal): Promise<MeView | null>;
  /** Ends the session behind `token` (no-op for an API key or an unknown token). */
  logout(token: string | null): Promise<void>;
  /** The credential a request carries: bearer first, then the session cookie. */
  credentialOf(request: Request): string | null;
  /** Drop cached sessions and key verifications here and on every node (a key or user changed). */
  invalidate(): Promise<void>;
  readonly sessions: ReturnType<typeof createSessions>;
}

const forbidden = (message: string) => new PicloudError("forbidden", message);
const unauthorized = () => new PicloudError("unauthorized", "authentication required");

export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function hostOf(url: string): string | null {
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

/**
 * A state-changing request that a browser sent from another origin. Its cookie
 * is ignored (CSRF): SameSite=Lax already stops other sites, but not a sibling
 * subdomain (another app's wildcard host is "same-site"). Bearer tokens are
 * unaffected — a page cannot make a browser attach one by itself.
 *
 * `Sec-Fetch-Site` (sent by every current browser) is computed by the browser
 * against the URL it used, so it stays right behind a reverse proxy. Without
 * it, `Origin` is compared with the host the request names: its URL, an
 * `X-Forwarded-Host` (a page cannot add that header to a cross-origin request
 * without a CORS preflight, which PiCloud never grants), or PICLOUD_PUBLIC_URL.
 */
export function crossOriginWrite(request: Request, publicHost: string | null = null): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  const site = request.headers.get("sec-fetch-site");
  if (site) return site === "cross-site" || site === "same-site";
  const origin = request.headers.get("origin");
  if (!origin) return false; // not a browser, or a same-origin request from an old one
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return true; // "null" or garbage: an opaque origin
  }
  const hosts = [new URL(request.url).host, request.headers.get("x-forwarded-host")?.split(",")[0]?.trim(), publicHost];
  return !hosts.includes(originHost);
}

export function createAuth({ db, config, log, throttle = createLoginThrottle() }: {
  db: Db; config: Config; log: Logger; throttle?: LoginThrottle;
}): Auth {
  const sessions = createSessions({ db, ttlHours: config.sessionTtlHours });
  const keys = createApiKeyVerifier({ db, log });
  const publicHost = config.publicUrl ? hostOf(config.publicUrl) : null;
  // Verifying against a real hash when the user does not exist keeps the answer's timing alike.
  let decoyHash: Promise<string> | null = null;

  const credentialOf = (request: Request): string | null => {
    const header = request.headers.get("authorization");
    if (header) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      return m ? m[1]! : null;
    }
    return crossOriginWrite(request, publicHost) ? null : readCookie(request.headers.get("cookie"), SESSION_COOKIE);
  };

  const authenticateToken = async (token: string): Promise<Principal | null> => {
    if (looksLikeApiKey(token)) return keys.verify(token);
    const s = await sessions.resolve(token);
    return s && {
      userId: s.user_id, username: s.username, instanceRole: s.instance_role, via: { kind: "session", sessionId: s.id },
    };
  };

  const authenticate = async (request: Request) => {
    const token = credentialOf(request);
    return token ? authenticateToken(token) : null;
  };

  const boundApp = (p: Principal) => (p.via.kind === "api_key" ? p.via.appId : null);

  const appRole = async (p: Principal, appId: string): Promise<AppRole | null> => {
    const bound = boundApp(p);
    if (bound !== null && bound !== appId) return null;
    if (p.instanceRole !== "member") return effectiveAppRole(p.instanceRole, null);
    if (!isUuid(appId)) return null;
    return effectiveAppRole("member", await findMembershipRole(db, appId, p.userId));
  };

  const auth: Auth = {
    sessions,
    credentialOf,
    authenticate,
    authenticateToken,
    appRole,

    async init() {
      await bootstrapOwner({ db, config, log });
      await db.listen(AUTH_INVALIDATE_CHANNEL, () => {
        keys.clear();
        sessions.clear();
      });
    },

    async require(principal, capability: Capability, appId?: string) {
      if (!principal) throw unauthorized();
      const def = CAPABILITIES[capability];
      const key = principal.via.kind === "api_key" ? principal.via : null;
      if (def.app) {
        // Without an app the caller is listing across apps: the service filters by visibleAppIds.
        if (appId !== undefined) {
          const role = await appRole(principal, appId);
          if (!role) throw new PicloudError("not_found", "app not found"); // never reveal another app
          if (!APP_ROLE_CAPABILITIES[role].has(capability)) throw forbidden(`your role (${role}) cannot ${capability}`);
        }
      } else {
        if (!INSTANCE_ROLE_CAPABILITIES[principal.instanceRole].has(capability)) {
          throw forbidden(`your role (${principal.instanceRole}) cannot ${capability}`);
        }
        if (key?.appId) throw forbidden("a key bound to one app cannot act on the instance");
      }
      if (key && !scopesCover(key.scopes, def.scope)) throw forbidden(`this API key lacks the ${def.scope} scope`);
      return principal;
    },

    async visibleAppIds(p) {
      const bound = boundApp(p);
      if (p.instanceRole !== "member") return bound === null ? "all" : [bound];
      const ids = await listMemberAppIds(db, p.userId);
      return bound === null ? ids : ids.filter((id) => id === bound);
    },

    async login(input, meta) {
      if (typeof input.username !== "string" || input.username.length === 0 || input.username.length > 128) {
        throw invalid("username", "required");
      }
      if (typeof input.password !== "string" || input.password.length === 0 || input.password.length > 1024) {
        throw invalid("password", "required");
      }
      const username = input.username.trim();
      const waitMs = throttle.attempt(username, meta.ip);
      if (waitMs > 0) {
        const retryAfter = Math.ceil(waitMs / 1000);
        throw new PicloudError("rate_limited", "too many failed logins; try again later", { retry_after: retryAfter });
      }
      const user = await findUserByUsername(db, username);
      let ok: boolean;
      if (user) {
        ok = (await verifyPassword(input.password, user.password_hash)) && user.is_active;
      } else {
        decoyHash ??= hashPassword("picloud-decoy-password");
        await verifyPassword(input.password, await decoyHash);
        ok = false;
      }
      if (!ok || !user) {
        // Already counted by `attempt`.
        log.info("failed login", { username, ip: meta.ip });
        throw new PicloudError("unauthorized", "invalid username or password");
      }
      throttle.recordSuccess(username, meta.ip);
      const session = await sessions.create(user.id, meta);
      return { token: session.token, expires_at: session.expiresAt, user: meView(user) };
    },

    async me(principal) {
      const user = await findUser(db, principal.userId);
      return user && meView(user);
    },

    async logout(token) {
      if (!token || looksLikeApiKey(token)) return;
      await sessions.revoke(token);
      await auth.invalidate(); // other nodes may hold it in their session cache
    },

    async invalidate() {
      keys.clear();
      sessions.clear();
      try {
        await db.notify(AUTH_INVALIDATE_CHANNEL, "*");
      } catch (error) {
        log.warn("could not tell other nodes to drop cached API keys", { error });
      }
    },
  };
  return auth;
}
