// routes ls | add | rm — HTTP routes bound to scripts (DESIGN §5).
import { PicloudError } from "../../errors.ts";
import { ADMIN, type Client } from "../client.ts";
import { type CommandSpec, str, usageError } from "../command.ts";
import { type Column, renderList, renderObject } from "../output.ts";
import { DEFAULT_APP, listScripts, resolveApp, resolveScript, type ScriptRow } from "../resolve.ts";

interface RouteRow {
  id: string;
  script_id?: string;
  method: string;
  host_kind: string;
  host: string | null;
  path_kind: string;
  path: string;
  script?: string;
  [k: string]: unknown;
}

const columns: Column<RouteRow>[] = [
  { header: "method", value: (r) => r.method },
  { header: "host", value: (r) => (r.host_kind === "any" || !r.host ? "*" : r.host) },
  { header: "path", value: (r) => r.path },
  { header: "path_kind", value: (r) => r.path_kind },
  { header: "script", value: (r) => r.script },
  { header: "id", value: (r) => r.id },
];

const METHODS = new Set(["ANY", "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** `/greet/:name` is a param route, `/static/*` a prefix route, anything else exact — as the dashboard guesses. */
export function detectPathKind(path: string): "exact" | "prefix" | "param" {
  if (path.endsWith("/*")) return "prefix";
  if (/(^|\/):[A-Za-z_]/.test(path)) return "param";
  return "exact";
}

/** No host: any host of the app; `*.example.com`: wildcard; otherwise that exact host. */
export function detectHostKind(host: string | undefined): "any" | "strict" | "wildcard" {
  if (host === undefined || host === "" || host === "*") return "any";
  return host.startsWith("*.") ? "wildcard" : "strict";
}

async function routesOf(client: Client, script: ScriptRow): Promise<RouteRow[]> {
  const rows = await client.json<RouteRow[]>("GET", `${ADMIN}/scripts/${script.id}/routes`);
  return rows.map((r) => ({ ...r, script: script.name }));
}

const ls: CommandSpec = {
  path: ["routes", "ls"],
  aliases: ["list"],
  summary: "List routes of an app, or of one script",
  usage: "[--app SLUG] [--script SCRIPT]",
  example: "picloud routes ls --app default",
  options: { app: { type: "string" }, script: { type: "string" } },
  async run(ctx, { values }) {
    const client = ctx.api();
    const scriptRef = str(values, "script");
    const scripts = scriptRef
      ? [await resolveScript(client, scriptRef, str(values, "app"))]
      : await listScripts(client, await resolveApp(client, str(values, "app") ?? DEFAULT_APP));
    const rows: RouteRow[] = [];
    for (const script of scripts) rows.push(...(await routesOf(client, script)));
    ctx.io.out(renderList(ctx.output, rows, columns));
  },
};

const add: CommandSpec = {
  path: ["routes", "add"],
  summary: "Bind an HTTP route to a script (path and host kinds are detected)",
  usage: "<script> <path> [--method GET] [--host HOST] [--app SLUG] [--path-kind exact|prefix|param] [--host-kind any|strict|wildcard]",
  example: "picloud routes add hello /greet/:name --method GET",
  options: {
    app: { type: "string" },
    method: { type: "string", short: "X" },
    host: { type: "string" },
    "path-kind": { type: "string" },
    "host-kind": { type: "string" },
  },
  positionals: { min: 2, max: 2, names: "<script> <path>" },
  async run(ctx, { values, positionals }) {
    const [scriptRef, path] = positionals as [string, string];
    if (!path.startsWith("/")) throw usageError(`a route path starts with '/': did you mean /${path}?`);
    const method = (str(values, "method") ?? "ANY").toUpperCase();
    if (!METHODS.has(method)) throw usageError(`--method must be one of ${[...METHODS].join(", ")}`);
    const host = str(values, "host");
    const hostKind = str(values, "host-kind") ?? detectHostKind(host);
    const pathKind = str(values, "path-kind") ?? detectPathKind(path);
    const client = ctx.api();
    const script = await resolveScript(client, scriptRef, str(values, "app"));
    const body = { method, host_kind: hostKind, ...(hostKind === "any" ? {} : { host }), path_kind: pathKind, path };
    try {
      const route = await client.json<RouteRow>("POST", `${ADMIN}/scripts/${script.id}/routes`, { body });
      ctx.io.out(renderObject(ctx.output, { ...route, script: script.name }, columns));
    } catch (e) {
      if (e instanceof PicloudError && e.code === "conflict") {
        const other = typeof e.details.route_id === "string" ? ` (route ${e.details.route_id})` : "";
        throw new PicloudError("conflict", `${e.message}${other}: remove it with \`picloud routes rm ID\` or choose another path`, e.details);
      }
      throw e;
    }
  },
};

const rm: CommandSpec = {
  path: ["routes", "rm"],
  aliases: ["delete"],
  summary: "Remove a route by id (see `picloud routes ls`)",
  usage: "<route-id>",
  example: "picloud routes rm 4f0c…",
  positionals: { min: 1, max: 1, names: "<route-id>" },
  async run(ctx, { positionals }) {
    const id = positionals[0]!;
    await ctx.api().json("DELETE", `${ADMIN}/routes/${encodeURIComponent(id)}`);
    if (ctx.output === "json") ctx.io.out(renderObject("json", { id, deleted: true }, []));
    else ctx.io.out(`Removed route ${id}\n`);
  },
};

export const routeCommands = [ls, add, rm];
