// scripts ls | show | deploy | delete
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { PicloudError } from "../../errors.ts";
import { ADMIN, type Client } from "../client.ts";
import { type CommandContext, type CommandSpec, str, usageError } from "../command.ts";
import { type Column, renderList, renderObject } from "../output.ts";
import { type AppRow, DEFAULT_APP, listScripts, resolveApp, resolveScript, type ScriptRow } from "../resolve.ts";

const columns: Column<ScriptRow>[] = [
  { header: "name", value: (s) => s.name },
  { header: "kind", value: (s) => s.kind },
  { header: "version", value: (s) => s.version },
  { header: "id", value: (s) => s.id },
  { header: "updated_at", value: (s) => s.updated_at },
];

const SOURCE_EXT = new Set([".ts", ".js", ".mts", ".mjs"]);

/** The files `deploy` takes from a folder: scripts at its top level, not type declarations or tests. */
export function scriptFilesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && SOURCE_EXT.has(extname(d.name)))
    .filter((d) => !d.name.endsWith(".d.ts") && !/\.(test|spec)\.[mc]?[jt]s$/.test(d.name))
    .map((d) => join(dir, d.name))
    .sort();
}

export const scriptNameOf = (file: string) => basename(file).replace(/\.[^.]+$/, "");

type Deployed = ScriptRow & { action: "created" | "updated" | "unchanged"; file: string };

/** Creates the script, or saves a new version when the name exists in the app (a deploy is idempotent). */
async function deployOne(
  client: Client,
  app: AppRow,
  existing: Map<string, ScriptRow>,
  file: string,
  name: string,
  kind: string | undefined,
): Promise<Deployed> {
  const source = readFileSync(file, "utf8");
  const update = (id: string) =>
    client.json<ScriptRow>("PATCH", `${ADMIN}/scripts/${id}`, { body: kind ? { source, kind } : { source } });
  const updated = async (before: ScriptRow): Promise<Deployed> => {
    const after = await update(before.id);
    // The server keeps the version when neither source nor kind changed.
    return { ...after, action: after.version === before.version ? "unchanged" : "updated", file };
  };
  const found = existing.get(name);
  if (found) return updated(found);
  try {
    const created = await client.json<ScriptRow>("POST", `${ADMIN}/scripts`, { body: { app_id: app.id, name, source, kind } });
    return { ...created, action: "created", file };
  } catch (e) {
    // Someone created it since we listed: update theirs rather than fail.
    if (!(e instanceof PicloudError && e.code === "conflict")) throw e;
    const again = (await listScripts(client, app)).find((s) => s.name === name);
    if (!again) throw e;
    return updated(again);
  }
}

/** `file:line:col: message` for compile errors (422 with `errors: [{line, column, message}]`), else the message. */
function describeFailure(file: string, e: unknown): string {
  if (!(e instanceof PicloudError)) return `${file}: ${e instanceof Error ? e.message : String(e)}`;
  const first = Array.isArray(e.details.errors) ? (e.details.errors[0] as Record<string, unknown> | undefined) : undefined;
  const line = first?.line ?? e.details.line;
  const column = first?.column ?? e.details.column;
  if (typeof line !== "number") return `${file}: ${e.message}`;
  const where = `:${line}${typeof column === "number" ? `:${column}` : ""}`;
  return `${file}${where}: ${typeof first?.message === "string" ? first.message : e.message}`;
}

const deployColumns: Column<Deployed>[] = [
  { header: "name", value: (s) => s.name },
  { header: "version", value: (s) => s.version },
  { header: "action", value: (s) => s.action },
  { header: "id", value: (s) => s.id },
  { header: "file", value: (s) => s.file },
];

async function deploy(ctx: CommandContext, target: string, appRef: string, name: string | undefined, kind: string | undefined) {
  let stat;
  try {
    stat = statSync(target);
  } catch {
    throw usageError(`no such file or folder: ${target}`);
  }
  const isDir = stat.isDirectory();
  if (isDir && name) throw usageError("--name names one script: deploy a single file with it, not a folder");
  const files = isDir ? scriptFilesIn(target) : [target];
  if (files.length === 0) throw usageError(`no .ts or .js files in ${target}`);

  const client = ctx.api();
  const app = await resolveApp(client, appRef);
  const existing = new Map((await listScripts(client, app)).map((s) => [s.name, s]));
  const done: Deployed[] = [];
  const failures: string[] = [];
  for (const [i, file] of files.entries()) {
    const scriptName = name ?? scriptNameOf(file);
    const step = `[${i + 1}/${files.length}] ${scriptName}`;
    try {
      const result = await deployOne(client, app, existing, file, scriptName, kind);
      done.push(result);
      existing.set(result.name, result);
      if (isDir) ctx.io.err(`${step}: ${result.action} v${result.version}\n`);
    } catch (e) {
      // Not logged in, or the server is gone: every other file would fail the same way.
      if (e instanceof PicloudError && (e.code === "unauthorized" || e.details.cause_kind === "network")) throw e;
      if (!isDir) throw new PicloudError(e instanceof PicloudError ? e.code : "internal", describeFailure(file, e), e instanceof PicloudError ? e.details : {});
      failures.push(describeFailure(file, e));
      ctx.io.err(`${step}: FAILED ${describeFailure(file, e)}\n`);
    }
  }
  if (isDir) ctx.io.out(renderList(ctx.output, done, deployColumns));
  else ctx.io.out(renderObject(ctx.output, done[0]!, deployColumns));
  if (failures.length > 0) {
    throw new PicloudError("invalid_request", `${failures.length} of ${files.length} script(s) failed to deploy`);
  }
}

const ls: CommandSpec = {
  path: ["scripts", "ls"],
  aliases: ["list"],
  summary: "List the scripts of an app",
  usage: "[--app SLUG]",
  example: "picloud scripts ls --app default",
  options: { app: { type: "string" } },
  async run(ctx, { values }) {
    const client = ctx.api();
    const app = await resolveApp(client, str(values, "app") ?? DEFAULT_APP);
    ctx.io.out(renderList(ctx.output, await listScripts(client, app), columns));
  },
};

const show: CommandSpec = {
  path: ["scripts", "show"],
  aliases: ["get"],
  summary: "Show one script (id, app/name, or name with --app)",
  usage: "<script> [--app SLUG]",
  example: "picloud scripts show hello",
  options: { app: { type: "string" } },
  positionals: { min: 1, max: 1, names: "<script>" },
  async run(ctx, { values, positionals }) {
    const script = await resolveScript(ctx.api(), positionals[0]!, str(values, "app"));
    ctx.io.out(renderObject(ctx.output, script, [...columns, { header: "app_id", value: (s) => s.app_id }]));
  },
};

const deployCmd: CommandSpec = {
  path: ["scripts", "deploy"],
  summary: "Create or update scripts from a file or every .ts/.js file in a folder",
  usage: "<file|folder> [--app SLUG] [--name NAME] [--kind endpoint|module]",
  example: "picloud scripts deploy ./functions --app blog",
  options: { app: { type: "string" }, name: { type: "string" }, kind: { type: "string" } },
  positionals: { min: 1, max: 1, names: "<file|folder>" },
  async run(ctx, { values, positionals }) {
    const kind = str(values, "kind");
    if (kind !== undefined && kind !== "endpoint" && kind !== "module") throw usageError("--kind must be endpoint or module");
    await deploy(ctx, positionals[0]!, str(values, "app") ?? DEFAULT_APP, str(values, "name"), kind);
  },
};

const del: CommandSpec = {
  path: ["scripts", "delete"],
  aliases: ["rm"],
  summary: "Delete a script and its routes",
  usage: "<script> [--app SLUG]",
  example: "picloud scripts delete hello --app blog",
  options: { app: { type: "string" } },
  positionals: { min: 1, max: 1, names: "<script>" },
  async run(ctx, { values, positionals }) {
    const client = ctx.api();
    const script = await resolveScript(client, positionals[0]!, str(values, "app"));
    await client.json("DELETE", `${ADMIN}/scripts/${script.id}`);
    if (ctx.output === "json") ctx.io.out(renderObject("json", { id: script.id, name: script.name, deleted: true }, []));
    else ctx.io.out(`Deleted script ${script.name}\n`);
  },
};

export const scriptCommands = [ls, show, deployCmd, del];
