// Both drivers hand back the same values (STYLE §5): timestamps as ISO-8601
// strings, int8 as number (string beyond 2^53, where a number would lie),
// jsonb already parsed by each driver. Settled here, once, for every row.

function normalizeValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "bigint") return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(normalizeValue);
  return v;
}

export function normalizeRow<T>(row: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const key in row) out[key] = normalizeValue(row[key]);
  return out as T;
}

export const normalizeRows = <T>(rows: readonly Record<string, unknown>[]): T[] => rows.map((r) => normalizeRow<T>(r));
