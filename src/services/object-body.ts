import { invalid } from "../errors.ts";

/** A request body the service reads field by field: anything but a JSON object is a 422 naming `body`. */
export function objectBody(input: unknown): Record<string, unknown> {
  if (!input || typeof input !== "object" || Array.isArray(input)) throw invalid("body", "must be a JSON object");
  return input as Record<string, unknown>;
}
