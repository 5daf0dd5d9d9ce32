// Keeps a TypeScript script's line numbers in its compiled JavaScript, so a
// stack trace or a QuickJS error names the line the user wrote. Bun.Transpiler
// reprints code without blank lines, comments and type-only declarations; it
// has no source maps. We match each compiled line to its source line and add
// blank lines in front of it until it sits at that line again.
//
// Only blank lines are added, and only at line breaks outside template
// literals (the one token that may hold a raw line break), so the code means
// exactly what it meant: ASI depends on whether a line break exists, not on
// how many. Lines can only move down: where Bun spreads one source line over
// several, the lines after it stay late until a later line can be aligned.
import { tokenize, type Token } from "./js-tokens.ts";

interface Anchor {
  value: string;
  line: number;
}

/** How far ahead (in anchors) a compiled line may find its source line: type-only code in between is skipped. */
const SEARCH_WINDOW = 4000;
/** The same for a compiled line with a single anchor. */
const SINGLE_ANCHOR_WINDOW = 8;
/** How far apart two anchors of one compiled line may be in the source (types removed between them). */
const GAP = 64;

const isAnchor = (t: Token) => t.type === "id" || t.type === "string";

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line of `offset`. */
function lineOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** Index in `source` where `line` starts matching as a subsequence at `from`, and the index after its last anchor. */
function matchAt(source: Anchor[], from: number, line: string[]): number {
  let at = from;
  for (let k = 1; k < line.length; k++) {
    let found = -1;
    for (let j = at + 1; j < source.length && j <= at + GAP; j++) {
      if (source[j]!.value === line[k]) {
        found = j;
        break;
      }
    }
    if (found < 0) return -1;
    at = found;
  }
  return at + 1;
}

/**
 * For each compiled line (1-based index), the source line it came from, or 0
 * when it has nothing to match on (`}`) or could not be matched.
 */
export function matchLines(compiled: string, source: string): number[] {
  const compiledStarts = lineStarts(compiled);
  const sourceStarts = lineStarts(source);
  const sourceAnchors: Anchor[] = tokenize(source)
    .filter(isAnchor)
    .map((t) => ({ value: t.value, line: lineOf(sourceStarts, t.start) }));

  const perLine: string[][] = Array.from({ length: compiledStarts.length + 1 }, () => []);
  for (const t of tokenize(compiled)) {
    if (isAnchor(t)) perLine[lineOf(compiledStarts, t.start)]!.push(t.value);
  }

  const targets = new Array<number>(compiledStarts.length + 1).fill(0);
  let pointer = 0;
  for (let line = 1; line <= compiledStarts.length; line++) {
    const anchors = perLine[line]!;
    if (anchors.length === 0) continue;
    // One anchor is weak evidence (`})(Color ||= {})` from a lowered enum would
    // find `Color` far below): such a line may only match close to the pointer.
    const window = anchors.length === 1 ? SINGLE_ANCHOR_WINDOW : SEARCH_WINDOW;
    for (let p = pointer; p < sourceAnchors.length && p < pointer + window; p++) {
      if (sourceAnchors[p]!.value !== anchors[0]) continue;
      let start = p;
      let next = matchAt(sourceAnchors, p, anchors);
      if (next < 0) continue;
      // Tightest match: `import { a }` must not start at an elided `import type` line above it.
      for (let q = p + 1; q < next; q++) {
        if (sourceAnchors[q]!.value !== anchors[0]) continue;
        const tighter = matchAt(sourceAnchors, q, anchors);
        if (tighter >= 0) (start = q), (next = tighter);
      }
      targets[line] = sourceAnchors[start]!.line;
      pointer = next;
      break;
    }
  }
  return targets;
}

/** `compiled` with blank lines added so that its lines sit at their source lines where possible. */
export function alignLines(compiled: string, source: string): string {
  const targets = matchLines(compiled, source);
  // A line break inside a template literal is part of a string value: never pad there.
  const unsafe = new Set<number>();
  const starts = lineStarts(compiled);
  for (const t of tokenize(compiled)) {
    if (t.type !== "template") continue;
    for (let i = compiled.indexOf("\n", t.start); i >= 0 && i < t.end; i = compiled.indexOf("\n", i + 1)) {
      unsafe.add(lineOf(starts, i + 1));
    }
  }
  const lines = compiled.split("\n");
  const out: string[] = [];
  let current = 1;
  for (let i = 0; i < lines.length; i++) {
    const target = targets[i + 1]!;
    if (target > current && !unsafe.has(i + 1)) {
      for (; current < target; current++) out.push("");
    }
    out.push(lines[i]!);
    current++;
  }
  return out.join("\n");
}
