// One error type below HTTP: a stable code and no status (STYLE §3).
// Only src/http/errors.ts maps codes to statuses.

export type ErrorCode =
  | "invalid_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "body_too_large"
  | "rate_limited"
  | "script_error"
  | "gate_full"
  | "timeout"
  | "budget_exceeded"
  | "internal";

export class PicloudError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra fields merged into the JSON error body, e.g. `{ field: "slug" }` or `{ route_id }`. */
    readonly details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "PicloudError";
  }
}

/** 422 naming the offending field, the common case for bad input. */
export const invalid = (field: string, message: string, details: Record<string, unknown> = {}) =>
  new PicloudError("invalid_request", `${field}: ${message}`, { field, ...details });

export const notFound = (what: string) => new PicloudError("not_found", `${what} not found`);

/**
 * 401 without a principal. Used before answering 404 for an object that does
 * not exist, so an anonymous caller learns nothing (DESIGN §5: 401 first).
 */
export function signedIn<P>(principal: P | null): P {
  if (!principal) throw new PicloudError("unauthorized", "sign in or send an API key");
  return principal;
}
