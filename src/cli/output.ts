// Three shapes for every answer: an aligned table for people (stdout is a tty),
// TSV with a header row for pipes, JSON (lists as arrays) for programs.

export type OutputMode = "table" | "tsv" | "json";
export const OUTPUT_MODES: readonly OutputMode[] = ["table", "tsv", "json"];

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
}

/** Renders one cell: null/undefined empty, arrays comma-joined, objects as JSON. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map(cell).join(",");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** TSV cannot hold a tab or newline inside a field: escape them as \t and \n (and \ itself). */
const tsvCell = (value: unknown) =>
  cell(value).replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\r/g, "\\r").replace(/\n/g, "\\n");

const tableCell = (value: unknown) => {
  const text = cell(value).replace(/\s*\n\s*/g, " ⏎ ");
  return text === "" ? "-" : text;
};

export function renderList<T>(mode: OutputMode, rows: T[], columns: Column<T>[]): string {
  if (mode === "json") return `${JSON.stringify(rows, null, 2)}\n`;
  if (mode === "tsv") {
    const lines = [columns.map((c) => c.header).join("\t")];
    for (const row of rows) lines.push(columns.map((c) => tsvCell(c.value(row))).join("\t"));
    return `${lines.join("\n")}\n`;
  }
  const grid = [columns.map((c) => c.header.toUpperCase()), ...rows.map((r) => columns.map((c) => tableCell(c.value(r))))];
  const widths = columns.map((_, i) => Math.max(...grid.map((line) => line[i]!.length)));
  const text = grid.map((line) => line.map((v, i) => (i === line.length - 1 ? v : v.padEnd(widths[i]!))).join("  ").trimEnd());
  if (rows.length === 0) text.push("(none)");
  return `${text.join("\n")}\n`;
}

/** One object: `key  value` lines on a tty, a one-row TSV for pipes, the object itself as JSON. */
export function renderObject<T>(mode: OutputMode, row: T, columns: Column<T>[]): string {
  if (mode === "json") return `${JSON.stringify(row, null, 2)}\n`;
  if (mode === "tsv") return renderList("tsv", [row], columns);
  const width = Math.max(...columns.map((c) => c.header.length));
  return `${columns.map((c) => `${`${c.header}:`.padEnd(width + 1)}  ${tableCell(c.value(row))}`).join("\n")}\n`;
}

/** Shorthand for columns that read one field. */
export const fields = <T extends Record<string, unknown>>(...names: string[]): Column<T>[] =>
  names.map((name) => ({ header: name, value: (row: T) => row[name] }));
