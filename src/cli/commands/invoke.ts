// invoke: call a script through the data plane (`/api/v1/execute/{id}`) and print its body.
import { readFileSync } from "node:fs";
import { type CommandContext, type CommandSpec, flag, list, str, usageError } from "../command.ts";
import { isId, resolveScript } from "../resolve.ts";

/** `--data` sources: `@file`, `@-` (stdin) or the literal text (usually JSON). */
export async function readData(ctx: CommandContext, data: string): Promise<Uint8Array> {
  if (data === "@-") return ctx.io.readStdin();
  if (data.startsWith("@")) {
    const file = data.slice(1);
    try {
      return new Uint8Array(readFileSync(file));
    } catch {
      throw usageError(`cannot read --data file '${file}'`);
    }
  }
  return new TextEncoder().encode(data);
}

/** `-H 'name: value'` → [name, value]; curl's form. */
export function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(":");
  if (colon <= 0) throw usageError(`-H wants 'Name: value', got '${text}'`);
  return [text.slice(0, colon).trim(), text.slice(colon + 1).trim()];
}

function looksLikeJson(bytes: Uint8Array): boolean {
  try {
    JSON.parse(new TextDecoder().decode(bytes));
    return true;
  } catch {
    return false;
  }
}

const invoke: CommandSpec = {
  path: ["invoke"],
  summary: "Call a script and print its response body (non-2xx exits 1)",
  usage: "<script> [--app SLUG] [-X METHOD] [-H 'Name: value']… [--data @file|@-|TEXT] [--path /rest?query] [-i]",
  example: "picloud invoke hello --data '{\"name\":\"pi\"}'",
  options: {
    app: { type: "string" },
    data: { type: "string", short: "d" },
    header: { type: "string", short: "H", multiple: true },
    method: { type: "string", short: "X" },
    include: { type: "boolean", short: "i" },
    path: { type: "string" },
  },
  positionals: { min: 1, max: 1, names: "<script>" },
  async run(ctx, { values, positionals }) {
    const ref = positionals[0]!;
    // Whatever follows the id reaches the script as ctx.rest, and the query string as ctx.query.
    const suffix = str(values, "path") ?? "";
    if (suffix !== "" && !suffix.startsWith("/") && !suffix.startsWith("?")) throw usageError("--path starts with '/' or '?'");
    const headers = list(values, "header").map(parseHeader);
    const dataArg = str(values, "data");
    const body = dataArg === undefined ? null : await readData(ctx, dataArg);
    const method = (str(values, "method") ?? (body ? "POST" : "GET")).toUpperCase();
    if (body && (method === "GET" || method === "HEAD")) throw usageError(`${method} cannot carry --data: use -X POST`);
    if (body && !headers.some(([k]) => k.toLowerCase() === "content-type")) {
      headers.push(["content-type", looksLikeJson(body) ? "application/json" : "text/plain;charset=utf-8"]);
    }
    // A script id goes straight to the data plane; a name needs the admin API to find its id.
    const client = isId(ref) ? ctx.anonymous() : ctx.api();
    const id = isId(ref) ? ref : (await resolveScript(client, ref, str(values, "app"))).id;
    const res = await client.raw(method, `/api/v1/execute/${id}${suffix}`, { body: body as BodyInit | null, headers: Object.fromEntries(headers) });
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (ctx.output === "json") {
      const text = new TextDecoder().decode(bytes);
      const isJson = (res.headers.get("content-type") ?? "").includes("json") && looksLikeJson(bytes);
      ctx.io.out(`${JSON.stringify({ status: res.status, headers: Object.fromEntries(res.headers), body: isJson ? JSON.parse(text) : text }, null, 2)}\n`);
    } else {
      if (flag(values, "include")) {
        ctx.io.out(`HTTP ${res.status} ${res.statusText}\n`);
        for (const [k, v] of res.headers) ctx.io.out(`${k}: ${v}\n`);
        ctx.io.out("\n");
      }
      ctx.io.out(bytes);
      if (ctx.io.stdoutIsTty && bytes.length > 0 && bytes[bytes.length - 1] !== 10) ctx.io.out("\n");
    }
    if (!res.ok) {
      let detail = "";
      try {
        const e = JSON.parse(new TextDecoder().decode(bytes)).error;
        if (e?.code) detail = ` ${e.code}: ${e.message}`;
      } catch {}
      ctx.io.err(`picloud: the script answered HTTP ${res.status}${detail}\n`);
      return 1;
    }
  },
};

export const invokeCommands = [invoke];
