// Per-script limits (DESIGN §4): a script may ask for less than the operator
// allows, never more. Missing keys take the operator's defaults.
import type { Limits } from "./types.ts";

export const LIMIT_KEYS = [
  "timeoutMs",
  "cpuMs",
  "memoryMb",
  "stackKb",
  "requestBodyBytes",
  "responseBodyBytes",
  "consoleBytes",
  "concurrentFetches",
] as const satisfies readonly (keyof Limits)[];

/** Script limits ⊓ ceilings; a missing or non-numeric key falls back to the default (itself clamped). */
export function effectiveLimits(defaults: Limits, ceilings: Limits, limits?: Partial<Limits>): Limits {
  const out = {} as Limits;
  for (const key of LIMIT_KEYS) {
    const asked = limits?.[key];
    const value = typeof asked === "number" && Number.isFinite(asked) && asked >= 0 ? asked : defaults[key];
    out[key] = Math.min(value, ceilings[key]);
  }
  return out;
}

/**
 * Save-time check for the platform: the name of the first limit above its
 * ceiling (or not a non-negative number), or null when all are acceptable.
 * The caller turns a name into a 422 naming the field.
 */
export function findLimitAboveCeiling(ceilings: Limits, limits: Partial<Limits> | undefined): keyof Limits | null {
  if (!limits) return null;
  for (const key of LIMIT_KEYS) {
    const asked = limits[key];
    if (asked === undefined) continue;
    if (typeof asked !== "number" || !Number.isFinite(asked) || asked < 0 || asked > ceilings[key]) return key;
  }
  return null;
}
