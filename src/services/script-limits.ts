// Per-script limits as the API spells them (snake_case), checked against the
// operator ceilings (DESIGN §4): a script may ask for less, never for more.
import { invalid } from "../errors.ts";
import type { Limits } from "../runtime/types.ts";

export const LIMIT_FIELDS = {
  timeout_ms: "timeoutMs",
  cpu_ms: "cpuMs",
  memory_mb: "memoryMb",
  stack_kb: "stackKb",
  request_body_bytes: "requestBodyBytes",
  response_body_bytes: "responseBodyBytes",
  console_bytes: "consoleBytes",
  concurrent_fetches: "concurrentFetches",
} as const satisfies Record<string, keyof Limits>;

export type LimitName = keyof typeof LIMIT_FIELDS;
export type ScriptLimits = Partial<Record<LimitName, number>>;

/** The smallest value that still lets a script run at all. */
const MINIMUM: Record<LimitName, number> = {
  timeout_ms: 1, cpu_ms: 1, memory_mb: 1, stack_kb: 16,
  request_body_bytes: 0, response_body_bytes: 0, console_bytes: 0, concurrent_fetches: 0,
};

/** Validates a `limits` object from a request; 422 naming the limit (`limits.timeout_ms`) and its ceiling. */
export function checkLimits(input: unknown, ceilings: Limits): ScriptLimits {
  if (input === undefined || input === null) return {};
  if (typeof input !== "object" || Array.isArray(input)) throw invalid("limits", "must be an object");
  const out: ScriptLimits = {};
  for (const [key, value] of Object.entries(input)) {
    if (!(key in LIMIT_FIELDS)) {
      throw invalid(`limits.${key}`, `unknown limit; known: ${Object.keys(LIMIT_FIELDS).join(", ")}`, { limit: key });
    }
    const name = key as LimitName;
    if (value === null) continue; // null = back to the default
    if (typeof value !== "number" || !Number.isInteger(value)) {
      throw invalid(`limits.${name}`, "must be an integer", { limit: name });
    }
    const ceiling = ceilings[LIMIT_FIELDS[name]];
    if (value < MINIMUM[name]) throw invalid(`limits.${name}`, `must be at least ${MINIMUM[name]}`, { limit: name });
    if (value > ceiling) {
      throw invalid(`limits.${name}`, `${value} exceeds the operator ceiling ${ceiling}`, { limit: name, ceiling });
    }
    out[name] = value;
  }
  return out;
}

/** API spelling → the runtime's `Partial<Limits>`. */
export function toRuntimeLimits(limits: ScriptLimits): Partial<Limits> {
  const out: Partial<Limits> = {};
  for (const [k, v] of Object.entries(limits)) {
    if (typeof v === "number") out[LIMIT_FIELDS[k as LimitName]] = v;
  }
  return out;
}

/** The runtime's full `Limits` → the API spelling (every field present). */
export function toApiLimits(limits: Limits): Record<LimitName, number> {
  return Object.fromEntries(
    Object.entries(LIMIT_FIELDS).map(([api, runtime]) => [api, limits[runtime]]),
  ) as Record<LimitName, number>;
}
