// Static detection of a script's handler forms (DESIGN §3) without running it.
// Works on Bun.Transpiler output: plain JS with comments already removed, so a
// small tokenizer that knows strings, template literals and regex literals is
// enough to tell code from text (a "Deno.serve(" inside a string is not a handler).

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

interface Token {
  type: "id" | "punct" | "string" | "template" | "regex" | "number";
  value: string;
}

const REGEX_AFTER_KEYWORD = new Set([
  "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await",
]);

/** Tokenizes JS well enough to find handler declarations; punctuation is one char per token. */
export function tokenize(code: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = code.length;
  // Template literal nesting: each entry counts open braces inside a `${`.
  const templateDepth: number[] = [];

  const readTemplate = () => {
    // Called with i just past "`" or "}" that closes a substitution.
    while (i < n) {
      const c = code[i]!;
      if (c === "\\") i += 2;
      else if (c === "`") {
        i++;
        return;
      } else if (c === "$" && code[i + 1] === "{") {
        i += 2;
        templateDepth.push(0);
        return;
      } else i++;
    }
  };

  const regexAllowed = () => {
    const prev = tokens[tokens.length - 1];
    if (!prev) return true;
    if (prev.type === "id") return REGEX_AFTER_KEYWORD.has(prev.value);
    if (prev.type === "punct") return !(prev.value === ")" || prev.value === "]" || prev.value === "}");
    return false;
  };

  while (i < n) {
    const c = code[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
    } else if (c === "/" && code[i + 1] === "/") {
      while (i < n && code[i] !== "\n") i++;
    } else if (c === "/" && code[i + 1] === "*") {
      const end = code.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '"' || c === "'") {
      const start = i++;
      while (i < n && code[i] !== c) i += code[i] === "\\" ? 2 : 1;
      i++;
      tokens.push({ type: "string", value: code.slice(start + 1, i - 1) });
    } else if (c === "`") {
      i++;
      readTemplate();
      tokens.push({ type: "template", value: "" });
    } else if (c === "}" && templateDepth.length > 0 && templateDepth[templateDepth.length - 1] === 0) {
      templateDepth.pop();
      i++;
      readTemplate();
      tokens.push({ type: "template", value: "" });
    } else if (c === "/" && regexAllowed()) {
      const start = i++;
      let inClass = false;
      while (i < n) {
        const d = code[i]!;
        if (d === "\\") i += 2;
        else if (d === "[") (inClass = true), i++;
        else if (d === "]") (inClass = false), i++;
        else if (d === "/" && !inClass) break;
        else if (d === "\n") break;
        else i++;
      }
      i++;
      while (i < n && /[a-z]/i.test(code[i]!)) i++;
      tokens.push({ type: "regex", value: code.slice(start, i) });
    } else if (/[A-Za-z_$\u0080-\uffff]/.test(c)) {
      const start = i;
      while (i < n && /[\w$\u0080-\uffff]/.test(code[i]!)) i++;
      tokens.push({ type: "id", value: code.slice(start, i) });
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(code[i + 1] ?? ""))) {
      const start = i;
      while (i < n && /[\w.]/.test(code[i]!)) i++;
      tokens.push({ type: "number", value: code.slice(start, i) });
    } else {
      if (templateDepth.length > 0) {
        if (c === "{") templateDepth[templateDepth.length - 1]!++;
        else if (c === "}") templateDepth[templateDepth.length - 1]!--;
      }
      tokens.push({ type: "punct", value: c });
      i++;
    }
  }
  return tokens;
}

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
        for (let j = i + 2; j < tokens.length && !isPunct(tokens[j], "}"); j++) {
          if (isId(tokens[j], "as") && isId(tokens[j + 1], "default") && tokens[j - 1]?.type === "id") {
            const local = tokens[j - 1]!.value;
            const at = findObjectDeclaration(tokens, local);
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
    if (isId(tokens[i], "Deno") && isPunct(tokens[i + 1], ".") && isId(tokens[i + 2], method) && isPunct(tokens[i + 3], "(")) {
      if (!isPunct(tokens[i - 1], ".")) return true;
    }
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
