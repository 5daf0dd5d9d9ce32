// Imports between scripts go through the platform's ModuleResolver, resolved
// on the main thread before the first call of a version (src/runtime/modules.ts).
import { afterAll, expect, test } from "bun:test";
import type { ModuleResolver } from "../../src/runtime/types.ts";
import { ctx, http, makeRuntime, script, text } from "./support.ts";

const modules: Record<string, Record<string, string>> = {
  "app-m": {
    lib: `import { base } from "./base.ts"; export const answer = () => base + 1;`,
    base: `export const base = 41;`,
  },
};
const asked: string[] = [];
const resolver: ModuleResolver = {
  async resolve(appId, specifier, referrer) {
    asked.push(`${appId}:${referrer}->${specifier}`);
    const name = specifier.replace(/^\.\//, "").replace(/\.ts$/, "");
    const code = modules[appId]?.[name];
    return code === undefined ? null : { name, code };
  },
};
const rt = makeRuntime({}, { resolver });
afterAll(() => rt.close());

test("relative and bare imports resolve to module scripts of the same app, transitively", async () => {
  const s = script(`import { answer } from "./lib.ts"; import { base } from "base"; export default { fetch() { return new Response(answer() + "/" + base); } }`, { app: { id: "app-m", slug: "m" } });
  expect(text(await rt.invoke(s, http(), ctx()))).toBe("42/41");
  expect(asked).toContain("app-m:lib->./base.ts");
  // Cached per version: a second call resolves nothing.
  const before = asked.length;
  expect(text(await rt.invoke(s, http(), ctx()))).toBe("42/41");
  expect(asked.length).toBe(before);
});

test("a module of another app is not reachable", async () => {
  const s = script(`import { answer } from "./lib.ts"; export default { fetch() { return new Response(String(answer())); } }`, { app: { id: "other-app", slug: "o" } });
  const r = await rt.invoke(s, http(), ctx());
  expect(!r.ok && r.code).toBe("script_error");
  expect(!r.ok && r.message).toContain("./lib.ts");
});

test("after invalidateModules a changed module is picked up", async () => {
  const s = script(`import { base } from "./base.ts"; export default { fetch() { return new Response(String(base)); } }`, { app: { id: "app-m", slug: "m" } });
  expect(text(await rt.invoke(s, http(), ctx()))).toBe("41");
  modules["app-m"]!.base = `export const base = 7;`;
  rt.invalidateModules("app-m");
  expect(text(await rt.invoke(s, http(), ctx()))).toBe("7");
});
