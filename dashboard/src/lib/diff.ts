export interface DiffLine { kind: "same" | "add" | "del"; text: string; a?: number; b?: number }

/** Line diff by longest common subsequence; scripts are small, and past ~4M cells we fall back to a plain replace. */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = before === "" ? [] : before.split("\n");
  const b = after === "" ? [] : after.split("\n");
  const n = a.length;
  const m = b.length;
  if (n * m > 4_000_000) {
    return [...a.map((text, i) => ({ kind: "del" as const, text, a: i + 1 })), ...b.map((text, j) => ({ kind: "add" as const, text, b: j + 1 }))];
  }
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ kind: "same", text: a[i]!, a: i + 1, b: j + 1 });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) {
      out.push({ kind: "del", text: a[i]!, a: i + 1 });
      i++;
    } else {
      out.push({ kind: "add", text: b[j]!, b: j + 1 });
      j++;
    }
  }
  while (i < n) out.push({ kind: "del", text: a[i]!, a: ++i });
  while (j < m) out.push({ kind: "add", text: b[j]!, b: ++j });
  return out;
}
