// A small JavaScript tokenizer for save-time analysis (handler-scan.ts,
// line-align.ts). It knows strings, template literals (with nested `${}`),
// comments and regex literals well enough to tell code from text; it is not a
// parser, and the code it reads has already passed Bun's parser.

export interface Token {
  type: "id" | "punct" | "string" | "template" | "regex" | "number";
  value: string;
  /** Offsets in the code: [start, end). A template token is one literal piece (up to `${` or the closing backtick). */
  start: number;
  end: number;
}

const REGEX_AFTER_KEYWORD = new Set([
  "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await",
]);

// Char-code tests: this runs on every save over the whole script, and regex
// tests per character were the slowest part of a compile.
const isIdStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c >= 128;
const isIdPart = (c: number) => isIdStart(c) || (c >= 48 && c <= 57);
const isDigit = (c: number) => c >= 48 && c <= 57;

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
      tokens.push({ type: "string", value: code.slice(start + 1, i - 1), start, end: i });
    } else if (c === "`") {
      const start = i++;
      readTemplate();
      tokens.push({ type: "template", value: "", start, end: i });
    } else if (c === "}" && templateDepth.length > 0 && templateDepth[templateDepth.length - 1] === 0) {
      templateDepth.pop();
      const start = i++;
      readTemplate();
      tokens.push({ type: "template", value: "", start, end: i });
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
      while (i < n && isIdPart(code.charCodeAt(i))) i++;
      tokens.push({ type: "regex", value: code.slice(start, i), start, end: i });
    } else if (isIdStart(code.charCodeAt(i))) {
      const start = i;
      while (i < n && isIdPart(code.charCodeAt(i))) i++;
      tokens.push({ type: "id", value: code.slice(start, i), start, end: i });
    } else if (isDigit(code.charCodeAt(i)) || (c === "." && isDigit(code.charCodeAt(i + 1)))) {
      const start = i;
      while (i < n && (isIdPart(code.charCodeAt(i)) || code.charCodeAt(i) === 46)) i++;
      tokens.push({ type: "number", value: code.slice(start, i), start, end: i });
    } else {
      if (templateDepth.length > 0) {
        if (c === "{") templateDepth[templateDepth.length - 1]!++;
        else if (c === "}") templateDepth[templateDepth.length - 1]!--;
      }
      tokens.push({ type: "punct", value: c, start: i, end: i + 1 });
      i++;
    }
  }
  return tokens;
}
