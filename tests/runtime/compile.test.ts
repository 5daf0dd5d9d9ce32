import { describe, expect, test } from "bun:test";
import { compileScript } from "../../src/runtime/compile.ts";

const HANDLER = "\nexport default { fetch() { return new Response('ok') } };\n";

async function ok(source: string, opts?: Parameters<typeof compileScript>[1]) {
  const r = await compileScript(source, opts);
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.errors)}`);
  return r;
}
async function fail(source: string, opts?: Parameters<typeof compileScript>[1]) {
  const r = await compileScript(source, opts);
  if (r.ok) throw new Error("expected a compile error");
  return r.errors;
}

describe("TypeScript", () => {
  test("types are stripped and the result is plain JS", async () => {
    const r = await ok(`interface Greeting { name: string }
type Id = string;
export default {
  async fetch(request: Request, ctx: { params: Record<string, string> }): Promise<Response> {
    const g: Greeting = { name: ctx.params.name ?? "world" } as Greeting;
    return Response.json(g satisfies Greeting);
  },
};
`);
    expect(r.code).not.toContain("interface");
    expect(r.code).not.toContain(": Request");
    expect(r.code).not.toContain("satisfies");
    expect(r.code).toContain("Response.json");
    expect(r.handlers).toEqual({ fetch: true, event: false, denoServe: false, denoCron: false });
  });

  test("plain JavaScript is kept verbatim so line numbers stay the user's", async () => {
    const src = `// a comment\n\nexport default {\n  fetch() { return new Response("x"); },\n};\n`;
    const r = await ok(src);
    expect(r.code).toBe(src);
  });
});

describe("syntax errors", () => {
  test("line and column point into the original TypeScript source", async () => {
    const errors = await fail(`// header comment

interface A { x: number }

export default {
  fetch(req: Request) {
    const n: number = (1 +;
    return new Response(String(n));
  },
};
`);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.line).toBe(7);
    expect(errors[0]!.column).toBe(27);
    expect(errors[0]!.message).toContain("syntax error");
  });

  test("line and column of a JavaScript error are 1-based", async () => {
    const errors = await fail("let a = ;\n");
    expect(errors[0]).toMatchObject({ line: 1, column: 9 });
  });

  test("code Bun accepts but QuickJS cannot parse is refused", async () => {
    // Duplicate named capture groups in alternatives: valid for Bun's parser, not for QuickJS.
    const errors = await fail(`\n\nconst re = /(?<a>x)|(?<a>y)/;${HANDLER}`);
    expect(errors[0]!.message).toContain("SyntaxError");
    expect(errors[0]!.line).toBe(3);
  });

  test("a QuickJS error in TypeScript maps back to the source line", async () => {
    const errors = await fail(`// c

function f(a: number): string {

  return String(a);
}
const re = /(?<a>x)|(?<a>y)/;${HANDLER}`);
    expect(errors[0]!.message).toContain("SyntaxError");
    expect(errors[0]!.line).toBe(7);
  });

  test("decorators and `using` are refused with a clear message", async () => {
    const errors = await fail(`using x = open();${HANDLER}`);
    expect(errors[0]!.message).toContain("`using`");
  });
});

test("a hashbang line is accepted and keeps line numbers", async () => {
  const r = await ok(`#!/usr/bin/env deno run\n${HANDLER}`);
  expect(r.code.split("\n")[2]).toContain("export default");
});

describe("imports", () => {
  test("static and dynamic imports are extracted in source order", async () => {
    const r = await ok(`import { a } from "./lib.ts";
import b from "helpers";
export { c } from "./c.ts";
import { kv } from "picloud";
const d = await import("./dyn.ts");
import "./lib.ts";
export default { fetch() { return new Response(String(a + b + kv + d)) } };
`);
    expect(r.imports).toEqual(["./lib.ts", "helpers", "./c.ts", "picloud", "./dyn.ts"]);
  });

  test("type-only imports vanish with the types", async () => {
    const r = await ok(`import type { Ctx } from "npm:some-types";\nexport default { fetch(r: Request, c: Ctx) { return new Response("x") } };`);
    expect(r.imports).toEqual([]);
  });

  for (const spec of ["npm:lodash", "jsr:@std/path", "https://deno.land/x/mod.ts", "http://example.com/a.js", "data:text/javascript,1", "//cdn.example/x.js"]) {
    test(`remote import '${spec}' is refused naming the specifier`, async () => {
      const errors = await fail(`// first\nimport x from "${spec}";${HANDLER}`);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.message).toBe(`remote imports are not supported: '${spec}' — copy the code into a module script of this app`);
      expect(errors[0]).toMatchObject({ line: 2, column: 16 });
    });
  }

  test("node: built-ins are refused naming the specifier", async () => {
    const errors = await fail(`import fs from "node:fs";${HANDLER}`);
    expect(errors[0]!.message).toContain("'node:fs'");
  });

  test("bun: built-ins are refused naming the specifier", async () => {
    const errors = await fail(`import { serve } from "bun:sqlite";${HANDLER}`);
    expect(errors[0]!.message).toContain("'bun:sqlite'");
  });

  test("a dynamic remote import is refused too", async () => {
    const errors = await fail(`const m = await import("npm:left-pad");${HANDLER}`);
    expect(errors[0]!.message).toContain("'npm:left-pad'");
  });

  test("every remote import is reported", async () => {
    const errors = await fail(`import a from "npm:a";\nimport b from "jsr:@b/b";${HANDLER}`);
    expect(errors.map((e) => e.line)).toEqual([1, 2]);
  });
});

describe("handler forms", () => {
  const cases: [string, string, Partial<Record<"fetch" | "event" | "denoServe" | "denoCron", boolean>>][] = [
    ["export default { fetch }", "export default {\n  async fetch(req, ctx) { return new Response('x') },\n};", { fetch: true }],
    ["export default { event }", "export default { async event(e, ctx) {} };", { event: true }],
    ["fetch and event", "export default { fetch: (r) => new Response('x'), event(e) {} };", { fetch: true, event: true }],
    ["quoted key", `export default { "fetch"(r) { return new Response('x') } };`, { fetch: true }],
    ["named object", "const handler = { fetch(r) { return new Response('x') } };\nexport default handler;", { fetch: true }],
    ["export { x as default }", "const h = { event() {} };\nexport { h as default };", { event: true }],
    ["Deno.serve(handler)", "Deno.serve((req) => new Response('hi'));", { denoServe: true }],
    ["Deno.serve(options, handler)", "Deno.serve({ port: 8000 }, (req) => new Response('hi'));", { denoServe: true }],
    ["Deno.cron", `Deno.cron("cleanup", "0 3 * * *", async () => {});`, { denoCron: true }],
    ["opaque default export (checked by the runtime)", "const app = makeApp();\nexport default app;", { fetch: true }],
    ["default re-exported from a module", `export { default } from "./handler.ts";`, { fetch: true }],
    ["computed key", `export default { ["fet" + "ch"](r) { return new Response('x') } };`, { fetch: true }],
    ["spread", `const base = {};\nexport default { ...base };`, { fetch: true }],
    ["globalThis.Deno.serve", "globalThis.Deno.serve(() => new Response('x'));", { denoServe: true }],
    ["TypeScript satisfies on a named object", "const h = { async fetch(r: Request) { return new Response('x') } } satisfies object;\nexport default h;", { fetch: true }],
  ];
  for (const [name, source, expected] of cases) {
    test(name, async () => {
      const r = await ok(source);
      expect(r.handlers).toEqual({ fetch: false, event: false, denoServe: false, denoCron: false, ...expected });
    });
  }

  test("Deno.serve inside a string or comment is not a handler", async () => {
    const errors = await fail(`const s = "Deno.serve(x)";\n// Deno.serve(y)\nconst t = \`Deno.cron(\${s})\`;`);
    expect(errors[0]!.message).toContain("no handler found");
    expect(errors[0]!.message).toContain("export default");
  });

  test("an endpoint with no handler is refused, saying what to write", async () => {
    const errors = await fail("export const x = 1;");
    expect(errors[0]!.message).toContain("no handler found");
    expect(errors[0]!.message).toContain("Deno.serve");
  });

  test("a default export object without fetch or event is refused naming its keys", async () => {
    const errors = await fail("export default { handle(req) { return new Response('x') } };");
    expect(errors[0]!.message).toContain("no fetch or event method");
    expect(errors[0]!.message).toContain("handle");
  });

  test("`export { default as x } from` is not a default export", async () => {
    const errors = await fail(`export { default as helper } from "./lib.ts";`);
    expect(errors[0]!.message).toContain("no handler found");
  });

  test("a default export function is refused", async () => {
    const errors = await fail("export default function (req) { return new Response('x') }");
    expect(errors[0]!.message).toContain("is a function");
  });

  test("a module script needs no handler", async () => {
    const r = await ok("export function add(a: number, b: number) { return a + b }", { kind: "module" });
    expect(r.handlers).toEqual({ fetch: false, event: false, denoServe: false, denoCron: false });
  });

  test("module scripts still refuse remote imports", async () => {
    const errors = await fail(`import x from "npm:x";\nexport const y = x;`, { kind: "module" });
    expect(errors[0]!.message).toContain("'npm:x'");
  });
});

test("the classic QuickJS variant is supported too", async () => {
  const r = await ok(`export default { fetch() { return new Response("x") } };`, { variant: "quickjs" });
  expect(r.handlers.fetch).toBe(true);
});

describe("line numbers of TypeScript", () => {
  // Runs compiled module code in real QuickJS and returns what `run()` gives back (or the error stack).
  async function runModule(code: string): Promise<{ value?: unknown; stack?: string }> {
    const { loadQuickJS } = await import("../../src/runtime/quickjs.ts");
    const qjs = await loadQuickJS();
    const runtime = qjs.newRuntime();
    const context = runtime.newContext();
    try {
      const mod = context.unwrapResult(context.evalCode(code, "script.js", { type: "module" }));
      const run = context.getProp(mod, "run");
      const result = context.callFunction(run, context.undefined);
      run.dispose();
      mod.dispose();
      if (result.error) {
        const err = context.dump(result.error) as { stack: string };
        result.error.dispose();
        return { stack: err.stack };
      }
      const value = context.dump(result.value);
      result.value.dispose();
      return { value };
    } finally {
      context.dispose();
      runtime.dispose();
    }
  }

  const tsModule = `// A module with everything Bun drops: comments, blank lines, types.
import type { Ctx } from "./types.ts";

/** Doc comment. */
interface Item {
  id: string;
  n: number;
}

type Id = string;

enum Color { Red, Green }

function total(items: Item[]): number {
  let sum: number = 0;
  for (const it of items) sum += it.n;
  return sum;
}

export function run(): number {
  const items: Item[] = [{ id: "a", n: 1 }];

  if (total(items) > 0) {
    throw new Error("boom"); // line 24
  }
  return Color.Green;
}
`;

  test("a runtime error in TypeScript reports the source line", async () => {
    const r = await ok(tsModule, { kind: "module" });
    expect(r.code.split("\n")[23]).toContain('throw new Error("boom")');
    const { stack } = await runModule(r.code);
    expect(stack).toContain("script.js:24");
  });

  test("a QuickJS syntax error in TypeScript reports the source line", async () => {
    const errors = await fail(tsModule.replace('throw new Error("boom"); // line 24', "const re = /(?<a>x)|(?<a>y)/; // line 24"), { kind: "module" });
    expect(errors[0]!.line).toBe(24);
  });

  test("multi-line template literals keep their exact value", async () => {
    const src = `// header

interface A { x: number }

const pick = (s: string) => { if (s) {} return /"/.test(s) };

export function run(): string {

  const t = \`line one
  line two \${pick('"') ? "yes" : "no"}

  line four\`;
  return t;
}
`;
    const r = await ok(src, { kind: "module" });
    const { value } = await runModule(r.code);
    expect(value).toBe('line one\n  line two yes\n\n  line four');
  });
});
