// Typed client over the admin API of DESIGN §5. The session lives in the
// HttpOnly `picloud_session` cookie, so every call is same-origin with
// credentials and no token is ever kept in JS.

export type InstanceRole = "owner" | "admin" | "member";
export type AppRole = "viewer" | "editor" | "app_admin";
export type Scope =
  | "instance:admin" | "instance:read" | "app:admin" | "app:write"
  | "app:read" | "script:write" | "script:read";
export const SCOPES: Scope[] = [
  "instance:admin", "instance:read", "app:admin", "app:write", "app:read",
  "script:write", "script:read",
];

export interface User {
  id: string;
  username: string;
  email: string | null;
  instance_role: InstanceRole;
  is_active?: boolean;
  created_at?: string;
}

export interface MemberCandidate { id: string; username: string }

export interface App {
  id: string;
  slug: string;
  name: string;
  description?: string | null;
  my_role?: AppRole | null;
  created_at?: string;
  updated_at?: string;
}

export interface Domain { id: string; app_id?: string; domain: string; created_at?: string }

export interface Limits {
  timeout_ms?: number | null;
  cpu_ms?: number | null;
  memory_mb?: number | null;
  [key: string]: number | null | undefined;
}

/** GET /limits: what a script gets for a limit it leaves unset, and the most it may ask for. */
export interface OperatorLimits {
  defaults: Record<string, number>;
  ceilings: Record<string, number>;
}

export interface Script {
  id: string;
  app_id: string;
  name: string;
  kind: "endpoint" | "module";
  description?: string | null;
  source?: string;
  version: number;
  limits?: Limits | null;
  created_at?: string;
  updated_at?: string;
}

export interface ScriptVersion {
  version: number;
  source?: string;
  created_at?: string;
  created_by?: string | null;
}

export type HostKind = "any" | "strict" | "wildcard";
export type PathKind = "exact" | "prefix" | "param";

export interface Route {
  id: string;
  app_id?: string;
  script_id: string;
  method: string;
  host_kind: HostKind;
  host: string | null;
  path_kind: PathKind;
  path: string;
  created_at?: string;
}

export interface RouteMatch {
  matched: boolean;
  host?: string;
  app_id?: string;
  app_slug?: string | null;
  route?: Route | null;
  script?: { id: string; name: string; version: number } | null;
  params?: Record<string, string>;
  rest?: string | null;
  /** Why nothing matched (no app claims the host, or no route for the path). */
  reason?: string;
}

export interface ConsoleLine { level?: string; message?: string; text?: string; at?: string; ts?: number | string }

export interface Execution {
  id: string;
  app_id?: string;
  script_id?: string;
  script_version?: number;
  version?: number;
  trigger_kind?: string;
  status?: string;
  http_status?: number | null;
  duration_ms?: number | null;
  cpu_ms?: number | null;
  method?: string | null;
  path?: string | null;
  request_method?: string | null;
  request_path?: string | null;
  request_url?: string | null;
  request_size?: number | null;
  response_size?: number | null;
  console?: ConsoleLine[] | string[] | null;
  logs?: ConsoleLine[] | string[] | null;
  console_truncated?: boolean;
  error?: string | { message?: string; code?: string } | null;
  stack?: string | null;
  started_at?: string;
  created_at?: string;
}

export interface Member {
  user_id: string;
  username?: string;
  email?: string | null;
  role: AppRole;
  instance_role?: InstanceRole;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  app_id: string | null;
  expires_at: string | null;
  last_used_at?: string | null;
  created_at?: string;
  token?: string;
}

/** An error answered by the server in the `{error:{code,message,...}}` shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly body: unknown = null,
  ) {
    super(message);
  }
}

export const API_BASE = "/api/v1/admin";

/** Called on every 401 so the shell can return to the sign-in page. */
let onUnauthorized: (() => void) | null = null;
export function setUnauthorizedHandler(fn: (() => void) | null) {
  onUnauthorized = fn;
}

async function request<T>(method: string, path: string, body?: unknown, opts: { quiet401?: boolean } = {}): Promise<T> {
  const init: RequestInit = { method, credentials: "same-origin", headers: { accept: "application/json" } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  let res: Response;
  try {
    res = await fetch(API_BASE + path, init);
  } catch (e) {
    throw new ApiError(0, "network", `Cannot reach the server (${(e as Error).message})`);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!res.ok) {
    const err = (data && typeof data === "object" && "error" in data ? (data as { error: unknown }).error : null) as
      | { code?: string; message?: string; [k: string]: unknown }
      | null;
    const { code, message, ...details } = err ?? {};
    if (res.status === 401 && !opts.quiet401) onUnauthorized?.();
    throw new ApiError(
      res.status,
      code ?? `http_${res.status}`,
      message ?? (typeof data === "string" && data ? data : `${res.status} ${res.statusText}`),
      details,
      data,
    );
  }
  return data as T;
}

const enc = encodeURIComponent;
const qs = (params: Record<string, string | number | undefined | null>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") s.set(k, String(v));
  const str = s.toString();
  return str ? `?${str}` : "";
};

export const api = {
  auth: {
    login: (username: string, password: string) =>
      request<{ token: string; user: User }>("POST", "/auth/login", { username, password }, { quiet401: true }),
    logout: () => request<void>("POST", "/auth/logout", {}, { quiet401: true }),
    me: () => request<User>("GET", "/auth/me", undefined, { quiet401: true }),
  },
  admins: {
    list: () => request<User[]>("GET", "/admins"),
    create: (body: { username: string; email?: string | null; password: string; instance_role: InstanceRole }) =>
      request<User>("POST", "/admins", body),
    update: (id: string, patch: Partial<{ email: string | null; instance_role: InstanceRole; is_active: boolean; password: string }>) =>
      request<User>("PATCH", `/admins/${enc(id)}`, patch),
    remove: (id: string) => request<void>("DELETE", `/admins/${enc(id)}`),
  },
  apiKeys: {
    list: () => request<ApiKey[]>("GET", "/api-keys"),
    create: (body: { name: string; scopes: Scope[]; app_id?: string | null; expires_at?: string | null }) =>
      request<ApiKey & { token: string }>("POST", "/api-keys", body),
    remove: (id: string) => request<void>("DELETE", `/api-keys/${enc(id)}`),
  },
  apps: {
    list: () => request<App[]>("GET", "/apps"),
    get: (idOrSlug: string) => request<App>("GET", `/apps/${enc(idOrSlug)}`),
    create: (body: { slug: string; name: string; description?: string }) => request<App>("POST", "/apps", body),
    update: (id: string, patch: Partial<{ slug: string; name: string; description: string }>) =>
      request<App>("PATCH", `/apps/${enc(id)}`, patch),
    remove: (id: string, force = false) => request<void>("DELETE", `/apps/${enc(id)}${force ? "?force=true" : ""}`),
    checkSlug: (id: string, slug: string) =>
      request<{ available?: boolean; slug?: string; [k: string]: unknown }>("POST", `/apps/${enc(id)}/slug:check`, { slug }),
    logs: (id: string, params: { limit?: number; before?: string } = {}) =>
      request<Execution[]>("GET", `/apps/${enc(id)}/logs${qs(params)}`),
  },
  domains: {
    list: (appId: string) => request<Domain[]>("GET", `/apps/${enc(appId)}/domains`),
    create: (appId: string, domain: string) => request<Domain>("POST", `/apps/${enc(appId)}/domains`, { domain }),
    remove: (appId: string, domainId: string) => request<void>("DELETE", `/apps/${enc(appId)}/domains/${enc(domainId)}`),
  },
  limits: () => request<OperatorLimits>("GET", "/limits"),
  members: {
    list: (appId: string) => request<Member[]>("GET", `/apps/${enc(appId)}/members`),
    /** Addable users whose username or email starts with q: `{id, username}` only (app admins may not list users). */
    candidates: (appId: string, q: string) =>
      request<MemberCandidate[]>("GET", `/apps/${enc(appId)}/member-candidates${qs({ q })}`),
    add: (appId: string, user_id: string, role: AppRole) => request<Member>("POST", `/apps/${enc(appId)}/members`, { user_id, role }),
    update: (appId: string, userId: string, role: AppRole) =>
      request<Member>("PATCH", `/apps/${enc(appId)}/members/${enc(userId)}`, { role }),
    remove: (appId: string, userId: string) => request<void>("DELETE", `/apps/${enc(appId)}/members/${enc(userId)}`),
  },
  scripts: {
    list: (appId: string) => request<Script[]>("GET", `/scripts${qs({ app: appId })}`),
    get: (id: string) => request<Script>("GET", `/scripts/${enc(id)}`),
    create: (body: { app_id: string; name: string; source: string; kind?: "endpoint" | "module"; description?: string }) =>
      request<Script>("POST", "/scripts", body),
    update: (id: string, patch: Partial<{ name: string; source: string; description: string; limits: Limits | null }>) =>
      request<Script>("PATCH", `/scripts/${enc(id)}`, patch),
    remove: (id: string) => request<void>("DELETE", `/scripts/${enc(id)}`),
    versions: (id: string) => request<ScriptVersion[]>("GET", `/scripts/${enc(id)}/versions`),
    rollback: (id: string, version: number) => request<Script>("POST", `/scripts/${enc(id)}/rollback`, { version }),
    logs: (id: string, params: { limit?: number; before?: string } = {}) =>
      request<Execution[]>("GET", `/scripts/${enc(id)}/logs${qs(params)}`),
  },
  routes: {
    list: (scriptId: string) => request<Route[]>("GET", `/scripts/${enc(scriptId)}/routes`),
    create: (scriptId: string, body: { method: string; host_kind: HostKind; host: string | null; path_kind: PathKind; path: string }) =>
      request<Route>("POST", `/scripts/${enc(scriptId)}/routes`, body),
    remove: (id: string) => request<void>("DELETE", `/routes/${enc(id)}`),
    match: (method: string, url: string) => request<RouteMatch>("POST", "/routes:match", { method, url }),
  },
  logs: {
    get: (executionId: string) => request<Execution>("GET", `/logs/${enc(executionId)}`),
  },
};

/** Unwraps list answers: DESIGN §5 says bare arrays, but tolerate `{items}`/`{data}` envelopes. */
export function asList<T>(value: unknown): T[] {
  if (Array.isArray(value)) return value as T[];
  if (value && typeof value === "object") {
    for (const key of ["items", "data", "results"]) {
      const v = (value as Record<string, unknown>)[key];
      if (Array.isArray(v)) return v as T[];
    }
  }
  return [];
}

export interface InvokeResult {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: string;
  executionId: string | null;
}

/** Sends a request to the data plane (not an admin call: answers are the script's own). */
export async function invokeScript(
  scriptId: string,
  req: { method: string; path: string; headers: [string, string][]; body: string; viaRoute?: boolean },
): Promise<InvokeResult> {
  const path = req.path && req.path !== "/" ? (req.path.startsWith("/") ? req.path : `/${req.path}`) : "";
  // Direct: `/api/v1/execute/{id}[/rest]` needs no route (the tail becomes ctx.rest). Via route: the
  // path on this origin, so host → app → route matching runs as for any visitor.
  const url = req.viaRoute ? path || "/" : `/api/v1/execute/${enc(scriptId)}${path}`;
  const headers = new Headers();
  for (const [k, v] of req.headers) if (k.trim()) headers.append(k.trim(), v);
  const init: RequestInit = { method: req.method, headers, credentials: "same-origin" };
  if (req.method !== "GET" && req.method !== "HEAD" && req.body) init.body = req.body;
  const res = await fetch(url, init);
  const body = await res.text();
  return {
    status: res.status,
    statusText: res.statusText,
    headers: [...res.headers.entries()],
    body,
    executionId: res.headers.get("x-picloud-execution-id"),
  };
}

/** Console lines of an execution, whatever shape the log row uses. */
export function consoleLines(exec: Execution | null | undefined): { level: string; text: string }[] {
  const raw = exec?.console ?? exec?.logs ?? [];
  if (!Array.isArray(raw)) return [];
  return raw.map((l) =>
    typeof l === "string"
      ? { level: "log", text: l }
      : { level: l.level ?? "log", text: l.message ?? l.text ?? JSON.stringify(l) },
  );
}

export function errorText(exec: Execution): string | null {
  if (!exec.error) return null;
  return typeof exec.error === "string" ? exec.error : (exec.error.message ?? JSON.stringify(exec.error));
}

export function requestLine(exec: Execution): string {
  const method = exec.request_method ?? exec.method ?? "";
  let path = exec.request_path ?? exec.path ?? exec.request_url ?? "";
  try {
    // request_url is the full URL; the host adds little in a per-app list.
    if (/^https?:/.test(path)) { const u = new URL(path); path = u.pathname + u.search; }
  } catch { /* keep it as sent */ }
  // Direct calls carry the whole script id in the path; its first 8 characters are enough here.
  path = path.replace(/^\/api\/v1\/execute\/([0-9a-f]{8})[0-9a-f-]{28}/, "/api/v1/execute/$1…");
  return `${method} ${path}`.trim() || (exec.trigger_kind ?? "");
}

export function startedAt(exec: Execution): string | undefined {
  return exec.started_at ?? exec.created_at;
}
