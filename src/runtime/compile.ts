// Save-time compile (DESIGN §3): strip TypeScript with Bun.Transpiler, check the
// syntax in QuickJS itself, record imports, refuse remote imports, and refuse an
// endpoint without a handler. Runs on every save, so it must stay cheap: the
// transpilers are stateless and the QuickJS WASM module is cached per thread.
import type { CompileError, CompileResult } from "./types.ts";
import { loadQuickJS, type QuickJSVariantName } from "./quickjs.ts";
import { regexLiterals, scanHandlers } from "./handler-scan.ts";
import { alignLines } from "./line-align.ts";

export interface CompileOptions {
  /** Name used in error messages and QuickJS stack traces. */
  filename?: string;
  /** `endpoint` (default) must declare a handler; `module` is imported by other scripts. */
  kind?: "endpoint" | "module";
  /** QuickJS build that will run the code; its parser is the one that must accept it. */
  variant?: QuickJSVariantName;
}

type Compiled = Extract<CompileResult, { ok: true }>;

// Any URL scheme (npm:, jsr:, node:, http:, https:, data:, file:, …) or a protocol-relative URL.
const REMOTE_SPECIFIER = /^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|\/\/)/;

const HANDLER_HINT =
  "write `export default { async fetch(request, ctx) { return new Response(\"hi\") } }` " +
  "(or an `event(event, ctx)` method), or call `Deno.serve(handler)` or `Deno.cron(name, schedule, fn)`";

export async function compileScript(original: string, opts: CompileOptions = {}): Promise<CompileResult> {
  // A hashbang line becomes a comment: same line count, and neither Bun's
  // scanner nor every QuickJS build accepts it in a module.
  const source = original.startsWith("#!") ? `//${original.slice(2)}` : original;
  const filename = opts.filename ?? "script.ts";
  const kind = opts.kind ?? "endpoint";

  // 1. Bun parses the ORIGINAL source, so its positions are already the user's.
  let transpiled: string;
  try {
    transpiled = new Bun.Transpiler({ loader: "ts", target: "browser" }).transformSync(source);
  } catch (err) {
    return { ok: false, errors: bunErrors(err) };
  }

  // 2. Plain JavaScript is kept verbatim, so runtime stack traces and QuickJS
  // errors point at the user's own lines; TypeScript takes Bun's reprint,
  // padded back onto the source's line numbers where possible.
  // (Bun's TS mode also drops unused imports; for JS we keep them, as JS would.)
  const verbatimError = parsesAsJavaScript(source) ? await quickjsSyntaxError(source, source, filename, opts.variant) : undefined;
  const verbatim = verbatimError === null;
  const code = verbatim ? source : alignToSource(transpiled, source);

  const errors: CompileError[] = [];

  // 3. Imports, in source order, deduplicated.
  const imports: string[] = [];
  let scanned: ReturnType<Bun.Transpiler["scanImports"]>;
  try {
    scanned = new Bun.Transpiler({ loader: "js", target: "browser" }).scanImports(code);
  } catch (err) {
    // Bun's TS output that its own JS scanner refuses: report it rather than throw.
    return { ok: false, errors: bunErrors(err) };
  }
  for (const imp of scanned) {
    if (imp.kind !== "import-statement" && imp.kind !== "dynamic-import") continue;
    const spec = imp.path;
    if (spec === "bun:wrap" && !verbatim) {
      // Bun lowers decorators and `using` into helpers imported from its own runtime.
      errors.push({
        message: "decorators and `using` declarations are not supported in scripts",
        line: 1,
        column: 1,
      });
      continue;
    }
    if (REMOTE_SPECIFIER.test(spec)) {
      errors.push({ message: remoteImportMessage(spec), ...positionOf(source, spec) });
      continue;
    }
    if (!imports.includes(spec)) imports.push(spec);
  }
  if (errors.length > 0) return { ok: false, errors };

  // 4. QuickJS must parse what it will run (Bun accepts syntax QuickJS may not).
  if (!verbatim) {
    const qjsError = await quickjsSyntaxError(code, source, filename, opts.variant);
    // When the source is plain JavaScript, its own error has exact positions;
    // otherwise the line is right wherever alignment placed it.
    if (qjsError) {
      const { message, line, column } = verbatimError ?? qjsError;
      const lines = source.split("\n").length;
      return { ok: false, errors: [{ message, line: Math.min(line, lines), column }] };
    }
  }

  // 5. Handler forms.
  const { forms, defaultExport } = scanHandlers(code);
  if (kind === "endpoint" && !forms.fetch && !forms.event && !forms.denoServe && !forms.denoCron) {
    return { ok: false, errors: [{ message: missingHandlerMessage(defaultExport), line: 1, column: 1 }] };
  }

  const result: Compiled = { ok: true, code, imports, handlers: forms };
  return result;
}

function missingHandlerMessage(def: ReturnType<typeof scanHandlers>["defaultExport"]): string {
  switch (def.kind) {
    case "function":
      return `the default export is a function; an endpoint's default export must be an object with a fetch method: ${HANDLER_HINT}`;
    case "object":
      return `the default export has no fetch or event method (found: ${def.keys.join(", ") || "no keys"}): ${HANDLER_HINT}`;
    case "other":
      return `the default export is not a handler object: ${HANDLER_HINT}`;
    default:
      return `no handler found: ${HANDLER_HINT}`;
  }
}

function remoteImportMessage(spec: string): string {
  if (spec.startsWith("node:") || spec.startsWith("bun:")) {
    const runtime = spec.startsWith("node:") ? "Node" : "Bun";
    return `${runtime} built-in modules are not available in scripts: '${spec}' — use the Web APIs or the "picloud" module instead`;
  }
  return `remote imports are not supported: '${spec}' — copy the code into a module script of this app`;
}

function parsesAsJavaScript(source: string): boolean {
  try {
    new Bun.Transpiler({ loader: "js", target: "browser" }).transformSync(source);
    return true;
  } catch {
    return false;
  }
}

/** 1-based position of a quoted import specifier in the original source (first occurrence). */
function positionOf(source: string, spec: string): { line: number; column: number } {
  for (const quote of ['"', "'", "`"]) {
    const at = source.indexOf(quote + spec + quote);
    if (at >= 0) return offsetToPosition(source, at + 1);
  }
  return { line: 1, column: 1 };
}

function offsetToPosition(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Bun throws a BuildMessage (one error) or an AggregateError of them. */
function bunErrors(err: unknown): CompileError[] {
  const list: unknown[] = err instanceof AggregateError ? err.errors : [err];
  const out = list.map((e) => {
    const m = e as { message?: string; position?: { line?: number; column?: number } | null };
    return {
      message: `syntax error: ${m.message ?? String(e)}`,
      line: Math.max(1, m.position?.line ?? 1),
      column: Math.max(1, m.position?.column ?? 1),
    };
  });
  return out.length > 0 ? out : [{ message: `syntax error: ${String(err)}`, line: 1, column: 1 }];
}

/**
 * Compiles `code` as an ES module in QuickJS without running it. Imports are
 * answered with empty modules: QuickJS loads dependencies while compiling, and
 * export names are only linked at evaluation, which we never reach here.
 */
async function quickjsSyntaxError(
  code: string,
  source: string,
  filename: string,
  variant: QuickJSVariantName = "quickjs-ng",
): Promise<CompileError | null> {
  const qjs = await loadQuickJS(variant);
  const runtime = qjs.newRuntime();
  try {
    runtime.setModuleLoader(() => "");
    // Parsing is bounded by the source size; cap memory so a pathological source cannot balloon.
    runtime.setMemoryLimit(64 * 1024 * 1024);
    const context = runtime.newContext();
    try {
      const result = context.evalCode(code, filename, { type: "module", compileOnly: true });
      if (!result.error) {
        result.value.dispose();
        return null;
      }
      const dumped = context.dump(result.error) as { name?: string; message?: string; stack?: string; lineNumber?: number };
      result.error.dispose();
      const message = `${dumped?.name ?? "SyntaxError"}: ${dumped?.message ?? "invalid module"}`;
      const at = /:(\d+):(\d+)/.exec(dumped?.stack ?? "");
      if (at) return { message, line: Number(at[1]), column: Math.max(1, Number(at[2])) };
      if (dumped?.lineNumber) return { message, line: dumped.lineNumber, column: 1 };
      // QuickJS reports regex errors without a position: find the literal it refused.
      const regex = regexLiterals(code).find((literal) => {
        const r = context.evalCode(literal, filename, { compileOnly: true });
        if (r.error) r.error.dispose();
        else r.value.dispose();
        return Boolean(r.error);
      });
      const offset = regex ? source.indexOf(regex) : -1;
      if (regex && offset >= 0) return { message: `${message} in ${regex}`, ...offsetToPosition(source, offset) };
      return { message, line: 1, column: 1 };
    } finally {
      context.dispose();
    }
  } finally {
    runtime.dispose();
  }
}

/**
 * `alignLines` only adds blank lines outside template literals; prove it by
 * reprinting both versions (Bun's printer drops blank lines) and keep the
 * unaligned code if they differ in any way.
 */
function alignToSource(compiled: string, source: string): string {
  const aligned = alignLines(compiled, source);
  if (aligned === compiled) return compiled;
  const js = new Bun.Transpiler({ loader: "js", target: "browser" });
  try {
    return js.transformSync(aligned) === js.transformSync(compiled) ? aligned : compiled;
  } catch {
    return compiled;
  }
}
