// URLPattern runs on the host (Bun's native, spec-complete implementation).
// The sandbox holds only the constructor arguments as a JSON key; compiled
// patterns are cached per context, bounded, and rebuilt from the key if evicted.
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";

const MAX_CACHED = 64;

type Args = [input: unknown, base?: unknown, options?: unknown];

export function createPatternOps() {
  const cache = new Map<string, URLPattern>();
  const compile = (key: string): URLPattern => {
    let p = cache.get(key);
    if (p) return p;
    const [input, base, options] = JSON.parse(key) as Args;
    const Ctor = URLPattern as unknown as new (...a: unknown[]) => URLPattern;
    p = typeof base === "string" ? new Ctor(input ?? {}, base, options ?? undefined) : new Ctor(input ?? {}, options ?? undefined);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(key, p);
    return p;
  };
  /** op "new" | "test" | "exec"; payload JSON. Returns JSON `{ok: value}` or `{error: message}`. */
  return (ctx: QuickJSContext, op: string, payload: string): QuickJSHandle => {
    try {
      if (op === "new") {
        const p = compile(payload);
        return ctx.newString(JSON.stringify({
          ok: {
            protocol: p.protocol, username: p.username, password: p.password, hostname: p.hostname,
            port: p.port, pathname: p.pathname, search: p.search, hash: p.hash,
            hasRegExpGroups: (p as { hasRegExpGroups?: boolean }).hasRegExpGroups ?? false,
          },
        }));
      }
      const [key, input, base] = JSON.parse(payload) as [string, unknown, unknown];
      const p = compile(key);
      const args = (typeof base === "string" ? [input, base] : [input]) as [string, string];
      const value = op === "test" ? p.test(...args) : p.exec(...args);
      return ctx.newString(JSON.stringify({ ok: value }));
    } catch (e) {
      return ctx.newString(JSON.stringify({ error: e instanceof Error ? e.message : String(e) }));
    }
  };
}
