// Scripts as the data plane runs them, cached by id so a request costs no SQL
// (DESIGN §2). Entries drop when their app's route-table notification arrives
// (a new version, a delete, a slug change all send one).
import { LRUCache } from "lru-cache";
import type { Db } from "../db/db.ts";
import { findScriptSpec } from "../db/queries/script-specs.ts";
import type { Limits, Runtime, ScriptSpec } from "../runtime/types.ts";
import { isUuid } from "../auth/ids.ts";
import { toRuntimeLimits, type ScriptLimits } from "./script-limits.ts";

export interface CachedScript {
  spec: ScriptSpec;
  kind: "endpoint" | "module";
  /** Effective limits (script's own ⊓ operator ceilings), resolved once per version. */
  limits: Limits;
}


export function createScriptCache({ db, runtime }: { db: Db; runtime: Pick<Runtime, "effectiveLimits"> }) {
  const cache = new LRUCache<string, CachedScript>({
    maxSize: 64 * 1024 * 1024,
    sizeCalculation: (s) => s.spec.code.length * 2 + 512,
  });
  // Unknown ids, briefly: a flood of made-up ids on /api/v1/execute must not
  // cost a query each. Any invalidation (a script was created) clears them.
  const missing = new LRUCache<string, true>({ max: 10_000, ttl: 5_000 });
  // Bumped on every invalidation: a load that started before one must not re-insert stale code.
  let epoch = 0;

  return {
    async get(id: string): Promise<CachedScript | null> {
      const hit = cache.get(id);
      if (hit) return hit;
      if (!isUuid(id) || missing.has(id)) return null;
      const started = epoch;
      const row = await findScriptSpec(db, id);
      if (!row) {
        if (started === epoch) missing.set(id, true);
        return null;
      }
      const limits = toRuntimeLimits(row.limits as ScriptLimits);
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
      missing.clear();
      if (appId === "*" || !isUuid(appId)) return cache.clear();
      for (const [id, s] of cache.entries()) if (s.spec.app.id === appId) cache.delete(id);
    },

    stats: () => ({ cached: cache.size }),
  };
}

export type ScriptCache = ReturnType<typeof createScriptCache>;
