// Static detection of a script's handler forms (DESIGN §3) without running it.
// Works on tokens, so a "Deno.serve(" inside a string or comment is not a handler.
import { tokenize, type Token } from "./js-tokens.ts";

export interface HandlerForms {
  fetch: boolean;
  event: boolean;
  denoServe: boolean;
  denoCron: boolean;
}

/** What `export default` is, when it is not an object literal we can read. */
export type DefaultExport =
  | { kind: "none" }
  | { kind: "object"; keys: string[] }
  /** A value we cannot see into statically (`export default app`, `new Hono()`): the runtime checks it. */
  | { kind: "opaque" }
  | { kind: "function" }
  | { kind: "other" };

const isPunct = (t: Token | undefined, v: string) => t?.type === "punct" && t.value === v;
const isId = (t: Token | undefined, v?: string) => t?.type === "id" && (v === undefined || t.value === v);

/** Keys of the object literal whose `{` is at `open`, at its own nesting level only. */
function objectKeys(tokens: Token[], open: number): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = true;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === "punct" && "{[(".includes(t.value)) {
      // A computed key (`["fetch"]() {}`) could be anything: count it as unknown.
      if (depth === 1 && expectKey && t.value === "[") {
        keys.push("...");
        expectKey = false;
      }
      depth++;
      if (depth === 1) expectKey = true;
      continue;
    }
    if (t.type === "punct" && "}])".includes(t.value)) {
      depth--;
      if (depth === 0) break;
      continue;
    }
    if (depth !== 1) continue;
    if (isPunct(t, ",")) {
      expectKey = true;
      continue;
    }
    if (!expectKey) continue;
    // Skip method modifiers: `async fetch()`, `*gen()`, `get x()`.
    if ((isId(t, "async") || isId(t, "get") || isId(t, "set")) && (tokens[i + 1]?.type === "id" || tokens[i + 1]?.type === "string")) continue;
    if (isPunct(t, "*")) continue;
    if (t.type === "id" || t.type === "string") {
      keys.push(t.value);
      expectKey = false;
    } else if (isPunct(t, ".")) {
      // `...spread`: its keys are unknown.
      keys.push("...");
      expectKey = false;
    } else {
      expectKey = false;
    }
  }
  return keys;
}

/** Index of the `{` that starts `const|let|var <name> = {` at top level, or -1. */
function findObjectDeclaration(tokens: Token[], name: string): number {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === "punct" && "{[(".includes(t.value)) depth++;
    else if (t.type === "punct" && "}])".includes(t.value)) depth--;
    else if (depth === 0 && (isId(t, "const") || isId(t, "let") || isId(t, "var")) && isId(tokens[i + 1], name) && isPunct(tokens[i + 2], "=")) {
      return isPunct(tokens[i + 3], "{") ? i + 3 : -2;
    }
  }
  return -1;
}

function describeValue(tokens: Token[], start: number): DefaultExport {
  const t = tokens[start];
  if (isPunct(t, "{")) return { kind: "object", keys: objectKeys(tokens, start) };
  if (isId(t, "function") || (isId(t, "async") && isId(tokens[start + 1], "function"))) return { kind: "function" };
  if (isId(t, "class")) return { kind: "opaque" };
  if (t?.type === "id" && !isPunct(tokens[start + 1], "(") && !isPunct(tokens[start + 1], ".")) {
    // `export default handler;` → look for `const handler = { … }`.
    const at = findObjectDeclaration(tokens, t.value);
    if (at >= 0) return { kind: "object", keys: objectKeys(tokens, at) };
    return { kind: "opaque" };
  }
  if (t?.type === "id") return { kind: "opaque" }; // a call or member expression
  if (t?.type === "string" || t?.type === "number" || t?.type === "template" || t?.type === "regex") return { kind: "other" };
  return { kind: "opaque" };
}

/** Finds `export default …` or `export { x as default }` at top level. */
export function findDefaultExport(tokens: Token[]): DefaultExport {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === "punct" && "{[(".includes(t.value)) depth++;
    else if (t.type === "punct" && "}])".includes(t.value)) depth--;
    else if (depth === 0 && isId(t, "export")) {
      if (isId(tokens[i + 1], "default")) return describeValue(tokens, i + 2);
      if (isPunct(tokens[i + 1], "{")) {
        let close = i + 2;
        while (close < tokens.length && !isPunct(tokens[close], "}")) close++;
        for (let j = i + 2; j < close; j++) {
          // `default as x` re-exports another module's default under a new name.
          if (!isId(tokens[j], "default") || isId(tokens[j + 1], "as")) continue;
          // `export { default } from "./x"` / `export { h as default } from "./x"`: defined elsewhere.
          if (isId(tokens[close + 1], "from")) return { kind: "opaque" };
          if (isId(tokens[j - 1], "as") && tokens[j - 2]?.type === "id") {
            const at = findObjectDeclaration(tokens, tokens[j - 2]!.value);
            return at >= 0 ? { kind: "object", keys: objectKeys(tokens, at) } : { kind: "opaque" };
          }
        }
      }
    }
  }
  return { kind: "none" };
}

/** The text of every regex literal in `code`, in order (`/a+/gi`). */
export function regexLiterals(code: string): string[] {
  return tokenize(code)
    .filter((t) => t.type === "regex")
    .map((t) => t.value);
}

/** `Deno.serve(` / `Deno.cron(` anywhere in code (not in strings). */
function callsDeno(tokens: Token[], method: string): boolean {
  for (let i = 0; i + 3 < tokens.length; i++) {
    // `globalThis.Deno.serve(` counts too.
    if (isId(tokens[i], "Deno") && isPunct(tokens[i + 1], ".") && isId(tokens[i + 2], method) && isPunct(tokens[i + 3], "(")) return true;
  }
  return false;
}

export function scanHandlers(code: string): { forms: HandlerForms; defaultExport: DefaultExport } {
  const tokens = tokenize(code);
  const defaultExport = findDefaultExport(tokens);
  const keys = defaultExport.kind === "object" ? defaultExport.keys : [];
  return {
    defaultExport,
    forms: {
      // An opaque default export (e.g. `export default app`) may well have a
      // `fetch`; the runtime verifies it when the module is evaluated.
      fetch: keys.includes("fetch") || defaultExport.kind === "opaque" || keys.includes("..."),
      event: keys.includes("event"),
      denoServe: callsDeno(tokens, "serve"),
      denoCron: callsDeno(tokens, "cron"),
    },
  };
}
