// Capabilities: what an admin endpoint checks on the object it loaded (DESIGN §7, issue #4).
// Each maps onto one of the seven fixed API-key scopes; roles grant them.
// Services call `auth.require(principal, capability, appId?)` — the identity
// work fills in the rules; the names here are the contract every endpoint uses.

import { type AppRole, type InstanceRole, type Scope, SCOPES } from "../roles.ts";

export { SCOPES, type AppRole, type InstanceRole, type Scope } from "../roles.ts";

/** Capability → the API-key scope that carries it, and whether it is app-scoped. */
export const CAPABILITIES = {
  "app:create": { scope: "instance:admin", app: false },
  "app:read": { scope: "app:read", app: true },
  "app:update": { scope: "app:admin", app: true },
  "app:delete": { scope: "app:admin", app: true },
  "domains:manage": { scope: "app:admin", app: true },
  "members:read": { scope: "app:read", app: true },
  "members:manage": { scope: "app:admin", app: true },
  "triggers:manage": { scope: "app:admin", app: true },
  "script:read": { scope: "script:read", app: true },
  "script:write": { scope: "script:write", app: true },
  /** Deleting a script is an app_admin act (editors save, they do not delete). */
  "script:delete": { scope: "script:write", app: true },
  "route:read": { scope: "script:read", app: true },
  "route:write": { scope: "script:write", app: true },
  "script:invoke": { scope: "script:write", app: true },
  "logs:read": { scope: "script:read", app: true },
  "users:read": { scope: "instance:read", app: false },
  "users:manage": { scope: "instance:admin", app: false },
  "instance:settings": { scope: "instance:admin", app: false },
} as const satisfies Record<string, { scope: Scope; app: boolean }>;
export type Capability = keyof typeof CAPABILITIES;

/** The authenticated caller of an admin endpoint. */
export interface Principal {
  userId: string;
  username: string;
  instanceRole: InstanceRole;
  /** How the caller authenticated. Sessions carry every scope; keys carry theirs. */
  via: { kind: "session"; sessionId: string } | { kind: "api_key"; keyId: string; scopes: Scope[]; appId: string | null };
}

/**
 * What services and HTTP plugins need from identity (issue #4). Implemented
 * by `createAuth` in src/auth/index.ts.
 */
export interface Authorizer {
  /** Bearer token (`pic_…` API key or session token) or session cookie → principal; null when absent or invalid. */
  authenticate(request: Request): Promise<Principal | null>;
  /**
   * Throws PicloudError: `unauthorized` without a principal, `not_found` when the
   * app is invisible to the caller (never reveal another app), `forbidden` when
   * visible but the capability is missing. Pass `appId` for app-scoped capabilities.
   */
  require(principal: Principal | null, capability: Capability, appId?: string): Promise<Principal>;
  /** The caller's effective role in an app (owners/admins: implicit app_admin), or null. */
  appRole(principal: Principal, appId: string): Promise<AppRole | null>;
  /** "all" for owners/admins (and unbound keys of them), else the ids of apps the caller is a member of (⊓ key binding). */
  visibleAppIds(principal: Principal): Promise<"all" | string[]>;
}

export const APP_ROLES = ["viewer", "editor", "app_admin"] as const satisfies readonly AppRole[];
export const INSTANCE_ROLES = ["owner", "admin", "member"] as const satisfies readonly InstanceRole[];

/**
 * What each app role may do (members only reach an app through one). Cumulative:
 * viewer reads, editor also writes scripts/routes/data, app_admin also manages
 * the app itself (members, domains, triggers, deletes).
 */
const VIEWER: readonly Capability[] = ["app:read", "members:read", "script:read", "route:read", "logs:read"];
const EDITOR: readonly Capability[] = [...VIEWER, "script:write", "route:write", "script:invoke"];
const APP_ADMIN: readonly Capability[] = [
  ...EDITOR, "app:update", "app:delete", "domains:manage", "members:manage", "triggers:manage", "script:delete",
];
export const APP_ROLE_CAPABILITIES: Record<AppRole, ReadonlySet<Capability>> = {
  viewer: new Set(VIEWER),
  editor: new Set(EDITOR),
  app_admin: new Set(APP_ADMIN),
};

/** Instance-wide capabilities each instance role holds (app ones come from `effectiveAppRole`). */
export const INSTANCE_ROLE_CAPABILITIES: Record<InstanceRole, ReadonlySet<Capability>> = {
  owner: new Set(["app:create", "users:read", "users:manage", "instance:settings"]),
  // Admins manage non-owner users; the users service enforces the "non-owner" half.
  admin: new Set(["app:create", "users:read", "users:manage"]),
  member: new Set(),
};

/**
 * A scope covers itself and the lesser scopes of its family: admin ⊇ write ⊇ read,
 * and an app-level scope covers the scripts of the app at the same level.
 */
const SCOPE_COVERS: Record<Scope, readonly Scope[]> = {
  "instance:admin": ["instance:admin", "instance:read"],
  "instance:read": ["instance:read"],
  "app:admin": ["app:admin", "app:write", "app:read", "script:write", "script:read"],
  "app:write": ["app:write", "app:read", "script:write", "script:read"],
  "app:read": ["app:read", "script:read"],
  "script:write": ["script:write", "script:read"],
  "script:read": ["script:read"],
};

/** Whether a key holding `held` may exercise something that needs `needed`. */
export function scopesCover(held: readonly Scope[], needed: Scope): boolean {
  return held.some((s) => SCOPE_COVERS[s]?.includes(needed));
}

/** Owners and admins are implicit app_admin everywhere; members have what their membership says. */
export function effectiveAppRole(instanceRole: InstanceRole, membership: AppRole | null): AppRole | null {
  return instanceRole === "member" ? membership : "app_admin";
}

export const isScope = (v: unknown): v is Scope => typeof v === "string" && (SCOPES as readonly string[]).includes(v);
export const isAppRole = (v: unknown): v is AppRole => typeof v === "string" && (APP_ROLES as readonly string[]).includes(v);
export const isInstanceRole = (v: unknown): v is InstanceRole =>
  typeof v === "string" && (INSTANCE_ROLES as readonly string[]).includes(v);
