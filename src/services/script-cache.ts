// Scripts as the data plane runs them, cached by id so a request costs no SQL
// (DESIGN §2). Entries drop when their app's route-table notification arrives
// (a new version, a delete, a slug change all send one).
import { LRUCache } from "lru-cache";
import type { Db } from "../db/db.ts";
import { findScriptSpec } from "../db/queries/script-specs.ts";
import type { Limits, Runtime, ScriptSpec } from "../runtime/types.ts";

export interface CachedScript {
  spec: ScriptSpec;
  kind: "endpoint" | "module";
  /** Effective limits (script's own ⊓ operator ceilings), resolved once per version. */
  limits: Limits;
}

const LIMIT_KEYS: Record<string, keyof Limits> = {
  timeout_ms: "timeoutMs",
  cpu_ms: "cpuMs",
  memory_mb: "memoryMb",
  stack_kb: "stackKb",
  request_body_bytes: "requestBodyBytes",
  response_body_bytes: "responseBodyBytes",
  console_bytes: "consoleBytes",
  concurrent_fetches: "concurrentFetches",
};

/** Stored snake_case limits → the runtime's Partial<Limits>; unknown keys are ignored. */
export function limitsFromRow(raw: Record<string, unknown> | null | undefined): Partial<Limits> {
  const out: Partial<Limits> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    const key = LIMIT_KEYS[k] ?? (Object.values(LIMIT_KEYS).includes(k as keyof Limits) ? (k as keyof Limits) : undefined);
    if (key && typeof v === "number") out[key] = v;
  }
  return out;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createScriptCache({ db, runtime }: { db: Db; runtime: Pick<Runtime, "effectiveLimits"> }) {
  const cache = new LRUCache<string, CachedScript>({
    maxSize: 64 * 1024 * 1024,
    sizeCalculation: (s) => s.spec.code.length * 2 + 512,
  });
  // Bumped on every invalidation: a load that started before one must not re-insert stale code.
  let epoch = 0;

  return {
    async get(id: string): Promise<CachedScript | null> {
      const hit = cache.get(id);
      if (hit) return hit;
      if (!UUID.test(id)) return null;
      const started = epoch;
      const row = await findScriptSpec(db, id);
      if (!row) return null;
      const limits = limitsFromRow(row.limits);
      const entry: CachedScript = {
        spec: {
          id: row.id,
          version: row.version,
          name: row.name,
          app: { id: row.app_id, slug: row.app_slug },
          code: row.compiled,
          limits,
        },
        kind: row.kind,
        limits: runtime.effectiveLimits(limits),
      };
      if (started === epoch) cache.set(id, entry);
      return entry;
    },

    /** Drop one app's scripts, or all with "*". */
    invalidate(appId: string) {
      epoch++;
      if (appId === "*" || !UUID.test(appId)) return cache.clear();
      for (const [id, s] of cache.entries()) if (s.spec.app.id === appId) cache.delete(id);
    },

    stats: () => ({ cached: cache.size }),
  };
}

export type ScriptCache = ReturnType<typeof createScriptCache>;
