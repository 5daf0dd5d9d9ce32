// The one error boundary (STYLE §3): every answer the server gives that is not
// a success is `{ error: { code, message, ...details } }`, including Elysia's
// own parse, validation and not-found errors, whose defaults are plain text.
import { Elysia } from "elysia";
import { type ErrorCode, PicloudError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { Redirect } from "./admin/moved.ts";

export const STATUS = {
  invalid_request: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  body_too_large: 413,
  rate_limited: 429,
  script_error: 502,
  gate_full: 503,
  timeout: 504,
  budget_exceeded: 507,
  internal: 500,
} satisfies Record<ErrorCode, number>;

interface Issue {
  path?: unknown;
  message?: unknown;
}

/** `/limits/timeout_ms`, `["limits", "timeout_ms"]` or `[{key: "limits"}, …]` → `limits.timeout_ms`. */
function fieldOf(issue: Issue | undefined): string | undefined {
  const p = issue?.path;
  if (typeof p === "string") return p.replace(/^\//, "").replaceAll("/", ".") || undefined;
  if (Array.isArray(p)) {
    const parts = p.map((k) => (k && typeof k === "object" && "key" in k ? String(k.key) : String(k)));
    return parts.join(".") || undefined;
  }
  return undefined;
}

/** Elysia's codes and any thrown value → a PicloudError. Unknown errors become `internal`. */
export function asPicloudError(code: string | number, error: unknown): PicloudError {
  if (error instanceof PicloudError) return error;
  switch (code) {
    case "VALIDATION": {
      const e = error as { type?: string; all?: Issue[] };
      // A response that does not match its own schema is our bug, not the caller's.
      if (e.type === "response") return new PicloudError("internal", "internal error", {}, { cause: error });
      let issues: Issue[] = [];
      try {
        issues = e.all ?? [];
      } catch {}
      let field = fieldOf(issues[0]) ?? e.type ?? "body";
      // A failure at the top of the value (empty or non-object body) names the body itself.
      if (field === "root" || field === "") field = e.type === "body" || !e.type ? "body" : e.type;
      const message = typeof issues[0]?.message === "string" ? issues[0].message : "invalid value";
      return new PicloudError("invalid_request", `${field}: ${message}`, { field });
    }
    case "PARSE":
      // Our own body reader throws PicloudErrors (413, bad JSON); Elysia wraps them in a ParseError.
      if ((error as Error).cause instanceof PicloudError) return (error as Error).cause as PicloudError;
      return new PicloudError("invalid_request", "request body is not valid JSON", { field: "body" });
    case "NOT_FOUND":
      return new PicloudError("not_found", "no such endpoint");
    case "INVALID_COOKIE_SIGNATURE":
      return new PicloudError("unauthorized", "invalid cookie");
    case "INVALID_FILE_TYPE":
      return new PicloudError("invalid_request", "invalid file type", { field: "body" });
  }
  // Elysia's `status(404, …)`-style errors carry a numeric status; keep their meaning.
  const status = (error as { status?: unknown })?.status;
  if (status === 404) return new PicloudError("not_found", "not found");
  if (status === 413) return new PicloudError("body_too_large", "request body too large");
  return new PicloudError("internal", "internal error", {}, { cause: error });
}

export function errorBody(e: PicloudError) {
  return { error: { code: e.code, message: e.message, ...e.details } };
}

/** Use first on the root instance: a plugin's onError is local unless `as: "global"`. */
export const errorBoundary = (log: Logger) =>
  new Elysia({ name: "error-boundary" }).onError({ as: "global" }, ({ code, error, set, request }) => {
    if (error instanceof Redirect) {
      return Response.json({ moved_to: error.location }, { status: 308, headers: { location: error.location } });
    }
    const e = asPicloudError(code, error);
    if (e.code === "internal") log.error("unhandled", { method: request.method, url: request.url, cause: error });
    if (e.code === "gate_full") set.headers["retry-after"] = "1";
    set.status = STATUS[e.code];
    set.headers["content-type"] = "application/json";
    return errorBody(e);
  });
