// ES module imports between scripts of one app, resolved on the main thread.
// A worker cannot await the platform's ModuleResolver while QuickJS loads a
// module synchronously, so before the first call of a script version the whole
// static import graph is resolved here and shipped with the script's code; the
// worker's module loader only looks names up (worker/sandbox.ts). Cached per
// version; `invalidate(appId)` drops an app's graphs when one of its modules changes.
import { LRUCache } from "lru-cache";
import { PicloudError } from "../errors.ts";
import type { ModuleBundle } from "./protocol.ts";
import type { ModuleResolver, ScriptSpec } from "./types.ts";

/** DESIGN §3: import chains deeper than this are rejected. */
const MAX_DEPTH = 8;

export interface ResolvedGraph {
  bundle: ModuleBundle | null;
  /** Distinguishes two graphs of one script version (a module changed). */
  hash: string;
}

export function createModuleGraph(resolver: ModuleResolver | undefined) {
  const cache = new LRUCache<string, { appId: string; graph: ResolvedGraph | Promise<ResolvedGraph> }>({ max: 5000 });
  const transpiler = new Bun.Transpiler({ loader: "js" });
  const staticImports = (code: string) =>
    transpiler
      .scanImports(code)
      .filter((i) => i.kind === "import-statement")
      .map((i) => i.path);

  async function build(spec: ScriptSpec): Promise<ResolvedGraph> {
    const rootImports = staticImports(spec.code);
    if (rootImports.length === 0) return { bundle: null, hash: "" };
    const modules: Record<string, string> = {};
    const links: Record<string, Record<string, string>> = {};
    let frontier: { name: string; imports: string[]; depth: number }[] = [{ name: spec.name, imports: rootImports, depth: 0 }];
    while (frontier.length) {
      const next: typeof frontier = [];
      for (const { name, imports, depth } of frontier) {
        if (depth >= MAX_DEPTH) throw new PicloudError("script_error", `import chain deeper than ${MAX_DEPTH} at "${name}"`);
        for (const specifier of imports) {
          if (!resolver) throw new PicloudError("script_error", `cannot import "${specifier}": module scripts are not available yet`);
          const found = await resolver.resolve(spec.app.id, specifier, name);
          if (!found) throw new PicloudError("script_error", `cannot resolve import "${specifier}" from "${name}"`);
          (links[name] ??= {})[specifier] = found.name;
          if (found.name in modules || found.name === spec.name) continue;
          modules[found.name] = found.code;
          next.push({ name: found.name, imports: staticImports(found.code), depth: depth + 1 });
        }
      }
      frontier = next;
    }
    const hash = Bun.hash(JSON.stringify([modules, links])).toString(36);
    return { bundle: { modules, links }, hash };
  }

  return {
    /** The graph of a script version; synchronous after the first call. */
    resolve(spec: ScriptSpec): ResolvedGraph | Promise<ResolvedGraph> {
      const key = `${spec.id}@${spec.version}`;
      const hit = cache.get(key);
      if (hit) return hit.graph;
      const pending = build(spec).then(
        (graph) => {
          cache.set(key, { appId: spec.app.id, graph });
          return graph;
        },
        (e) => {
          cache.delete(key);
          throw e;
        },
      );
      cache.set(key, { appId: spec.app.id, graph: pending });
      return pending;
    },
    /** Forget resolved graphs (of one app, or all): a module script changed. */
    invalidate(appId?: string) {
      for (const [key, v] of cache.entries()) if (!appId || v.appId === appId) cache.delete(key);
    },
  };
}
