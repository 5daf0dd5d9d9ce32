// A thin JSON client for the admin API (DESIGN §5). Every failure becomes a
// PicloudError whose message says what went wrong and what to do next.
import { type ErrorCode, PicloudError } from "../errors.ts";

export const ADMIN = "/api/v1/admin";

const CODES = new Set<ErrorCode>([
  "invalid_request", "unauthorized", "forbidden", "not_found", "conflict", "body_too_large",
  "rate_limited", "script_error", "gate_full", "timeout", "budget_exceeded", "internal",
]);

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: "invalid_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict",
  413: "body_too_large", 422: "invalid_request", 429: "rate_limited", 502: "script_error",
  503: "gate_full", 504: "timeout", 507: "budget_exceeded",
};

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
}

export interface Client {
  readonly url: string;
  readonly token: string | undefined;
  /** JSON request to `path` (absolute, e.g. `/api/v1/admin/apps`); resolves to the parsed body, or null on 204. */
  json<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<T>;
  /** Raw request: the caller reads status and body itself (invoke, SSE). */
  raw(method: string, path: string, init?: { body?: BodyInit | null; headers?: Record<string, string>; signal?: AbortSignal }): Promise<Response>;
}

export function createClient(url: string, token: string | undefined): Client {
  const loginHint = `run \`picloud login --url ${url}\``;

  const raw: Client["raw"] = async (method, path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (token && !Object.keys(headers).some((h) => h.toLowerCase() === "authorization")) {
      headers.authorization = `Bearer ${token}`;
    }
    try {
      return await fetch(`${url}${path}`, { method, headers, body: init.body ?? null, signal: init.signal, redirect: "manual" });
    } catch (cause) {
      if (init.signal?.aborted) throw cause;
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new PicloudError(
        "internal",
        `cannot reach PiCloud at ${url} (${reason}): is it running (\`picloud serve\`)? Check --url or PICLOUD_URL`,
        { cause_kind: "network" },
      );
    }
  };

  return {
    url,
    token,
    raw,
    async json<T>(method: string, path: string, options: RequestOptions = {}) {
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) query.set(k, String(v));
      const qs = query.size > 0 ? `?${query}` : "";
      const headers: Record<string, string> = { accept: "application/json", ...options.headers };
      let body: string | undefined;
      if (options.body !== undefined) {
        headers["content-type"] = "application/json";
        body = JSON.stringify(options.body);
      }
      const res = await raw(method, `${path}${qs}`, { body, headers });
      if (res.status === 204) return null as T;
      const text = await res.text();
      let parsed: unknown = null;
      try {
        parsed = text === "" ? null : JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      if (res.ok) {
        if (parsed === undefined) {
          throw new PicloudError("internal", `${url} answered ${method} ${path} with something that is not JSON: is this a PiCloud server?`);
        }
        return parsed as T;
      }
      throw responseError(res.status, parsed, { loginHint, authenticated: token !== undefined });
    },
  };
}

/** Turns a non-2xx answer into a PicloudError carrying the server's code, message and details. */
export function responseError(
  status: number,
  body: unknown,
  context: { loginHint: string; authenticated: boolean },
): PicloudError {
  const e = (body as { error?: Record<string, unknown> } | null)?.error;
  const serverCode = typeof e?.code === "string" ? e.code : undefined;
  const code: ErrorCode =
    serverCode && CODES.has(serverCode as ErrorCode) ? (serverCode as ErrorCode) : (CODE_BY_STATUS[status] ?? "internal");
  let message = typeof e?.message === "string" ? e.message : `HTTP ${status}`;
  if (status === 401) {
    message = context.authenticated
      ? `${message}: your session or key is no longer valid; ${context.loginHint}`
      : `not logged in: ${context.loginHint}`;
  } else if (status === 403) {
    message = `${message} (forbidden: your account or API key lacks this right; ask an owner or admin)`;
  }
  const { code: _c, message: _m, ...details } = e ?? {};
  return new PicloudError(code, message, { ...details, status });
}
