// logs: a script's execution log, newest first, or followed live over SSE.
import { ADMIN, type Client, responseError } from "../client.ts";
import { type CommandContext, type CommandSpec, flag, intOption, str } from "../command.ts";
import { type Column, renderList } from "../output.ts";
import { resolveScript } from "../resolve.ts";

export interface ExecutionRow {
  id: string;
  created_at: string;
  status: string;
  http_status: number | null;
  duration_ms: number;
  request_method: string | null;
  request_url: string | null;
  script_version: number;
  console?: unknown[];
  error?: string | null;
  [k: string]: unknown;
}


/** A console entry as text, whatever shape the server keeps (`{level, message}` or a plain string). */
function consoleLine(entry: unknown): string {
  if (typeof entry === "string") return entry;
  const e = entry as { level?: string; message?: unknown; msg?: unknown; text?: unknown; args?: unknown };
  const text = e.message ?? e.msg ?? e.text ?? e.args ?? entry;
  return `${e.level ? `[${e.level}] ` : ""}${typeof text === "string" ? text : JSON.stringify(text)}`;
}

const columns: Column<ExecutionRow>[] = [
  { header: "created_at", value: (e) => e.created_at },
  { header: "status", value: (e) => e.status },
  { header: "http_status", value: (e) => e.http_status },
  { header: "duration_ms", value: (e) => (typeof e.duration_ms === "number" ? Math.round(e.duration_ms * 100) / 100 : e.duration_ms) },
  { header: "request", value: (e) => [e.request_method, e.request_url].filter(Boolean).join(" ") },
  { header: "version", value: (e) => e.script_version },
  { header: "id", value: (e) => e.id },
  { header: "console", value: (e) => (Array.isArray(e.console) ? e.console.map(consoleLine).join("\n") : "") },
  { header: "error", value: (e) => e.error },
];

/** One execution as people read it: a summary line, then its console output and error, indented. */
export function humanLine(e: ExecutionRow): string {
  const status = e.http_status ?? e.status;
  const ms = typeof e.duration_ms === "number" ? `${e.duration_ms.toFixed(1)}ms` : "";
  const request = [e.request_method, e.request_url].filter(Boolean).join(" ");
  const lines = [`${e.created_at}  ${status}  ${ms.padStart(8)}  ${request}  v${e.script_version}  ${e.id}`];
  for (const entry of Array.isArray(e.console) ? e.console : []) lines.push(`    ${consoleLine(entry)}`);
  if (e.error) lines.push(`    error: ${e.error}`);
  return `${lines.join("\n")}\n`;
}

function printOne(ctx: CommandContext, e: ExecutionRow, first: boolean) {
  if (ctx.output === "json") ctx.io.out(`${JSON.stringify(e)}\n`); // NDJSON while following
  else if (ctx.output === "tsv") ctx.io.out(renderList("tsv", [e], columns).split("\n").slice(first ? 0 : 1).join("\n"));
  else ctx.io.out(humanLine(e));
}

/**
 * Reads a `text/event-stream` body and yields each event's data.
 * Comment lines (`: keep-alive`) are skipped; multi-line data is joined with \n.
 */
export async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: string }> {
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "message";
  let data: string[] = [];
  const reader = body.getReader();
  for (;;) {
    const { done, value: chunk } = await reader.read();
    if (done) break;
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, "");
      buffer = buffer.slice(nl + 1);
      if (line === "") {
        if (data.length > 0) yield { event, data: data.join("\n") };
        event = "message";
        data = [];
      } else if (line.startsWith(":")) {
        continue;
      } else {
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "data") data.push(value);
        else if (field === "event") event = value;
      }
    }
  }
}

async function follow(ctx: CommandContext, client: Client, scriptId: string) {
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    const res = await client.raw("GET", `${ADMIN}/scripts/${scriptId}/logs/stream`, {
      headers: { accept: "text/event-stream" },
      signal: abort.signal,
    });
    if (!res.ok || !res.body) {
      throw responseError(res.status, await res.json().catch(() => null), {
        loginHint: `run \`picloud login --url ${client.url}\``,
        authenticated: true,
      });
    }
    if (ctx.output === "table") ctx.io.err("following the log; Ctrl-C to stop\n");
    let first = true;
    for await (const { data } of sseEvents(res.body)) {
      let row: ExecutionRow;
      try {
        row = JSON.parse(data) as ExecutionRow;
      } catch {
        continue;
      }
      if (typeof row?.id !== "string") continue; // hello / heartbeat events
      printOne(ctx, row, first);
      first = false;
    }
  } catch (e) {
    if (!abort.signal.aborted) throw e;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

const logs: CommandSpec = {
  path: ["logs"],
  summary: "Show a script's recent executions, or follow them live with -f",
  usage: "<script> [--app SLUG] [--limit N] [-f]",
  example: "picloud logs hello --limit 20",
  options: {
    app: { type: "string" },
    limit: { type: "string", short: "n" },
    follow: { type: "boolean", short: "f" },
  },
  positionals: { min: 1, max: 1, names: "<script>" },
  async run(ctx, { values, positionals }) {
    const client = ctx.api();
    const script = await resolveScript(client, positionals[0]!, str(values, "app"));
    const limit = intOption(values, "limit");
    if (flag(values, "follow")) return follow(ctx, client, script.id);
    const rows = await client.json<ExecutionRow[]>("GET", `${ADMIN}/scripts/${script.id}/logs`, { query: { limit } });
    if (ctx.output === "table") {
      if (rows.length === 0) ctx.io.out(`no executions of ${script.name} yet: try \`picloud invoke ${script.name}\`\n`);
      // Oldest first, like a log file: the newest line ends up next to the prompt.
      for (const row of [...rows].reverse()) ctx.io.out(humanLine(row));
    } else {
      ctx.io.out(renderList(ctx.output, rows, columns));
    }
  },
};

export const logCommands = [logs];
