// api-keys mint | ls | rm — long-lived `pic_…` tokens for CI and scripts (DESIGN §5, §7).
import { SCOPES } from "../../auth/capabilities.ts";
import { ADMIN } from "../client.ts";
import { type CommandSpec, list, str, usageError } from "../command.ts";
import { type Column, renderList, renderObject } from "../output.ts";
import { resolveApp } from "../resolve.ts";

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  app_id: string | null;
  expires_at: string | null;
  last_used_at?: string | null;
  token?: string;
  [k: string]: unknown;
}

const columns: Column<ApiKeyRow>[] = [
  { header: "name", value: (k) => k.name },
  { header: "prefix", value: (k) => k.prefix },
  { header: "scopes", value: (k) => k.scopes },
  { header: "app_id", value: (k) => k.app_id },
  { header: "expires_at", value: (k) => k.expires_at },
  { header: "last_used_at", value: (k) => k.last_used_at },
  { header: "id", value: (k) => k.id },
];

/** `30d`, `12h`, `90m` from now, or an ISO-8601 timestamp. */
export function parseExpiry(text: string, now = Date.now()): string {
  const rel = /^(\d+)([mhdw])$/.exec(text);
  if (rel) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[rel[2] as "m" | "h" | "d" | "w"];
    return new Date(now + Number(rel[1]) * unit).toISOString();
  }
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw usageError(`--expires wants 30d, 12h, 90m or an ISO date, got '${text}'`);
  return new Date(t).toISOString();
}

const mint: CommandSpec = {
  path: ["api-keys", "mint"],
  aliases: ["create"],
  summary: "Mint an API key; its token is printed once",
  usage: "--name NAME --scope SCOPE [--scope SCOPE]… [--app SLUG] [--expires 30d|ISO]",
  example: "picloud api-keys mint --name ci --scope script:write --scope app:read --app blog --expires 90d",
  options: {
    name: { type: "string" },
    scope: { type: "string", multiple: true },
    app: { type: "string" },
    expires: { type: "string" },
  },
  async run(ctx, { values }) {
    const name = str(values, "name");
    if (!name) throw usageError("--name is required (say what the key is for, e.g. --name ci)");
    const scopes = list(values, "scope").flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);
    if (scopes.length === 0) throw usageError(`give at least one --scope: ${SCOPES.join(", ")}`);
    const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
    if (unknown.length > 0) throw usageError(`unknown scope ${unknown.join(", ")}: use ${SCOPES.join(", ")}`);
    const client = ctx.api();
    const appRef = str(values, "app");
    const app_id = appRef ? (await resolveApp(client, appRef)).id : undefined;
    const expires = str(values, "expires");
    const body = { name, scopes, app_id, expires_at: expires ? parseExpiry(expires) : undefined };
    const key = await client.json<ApiKeyRow>("POST", `${ADMIN}/api-keys`, { body });
    if (ctx.output === "table") {
      ctx.io.out(renderObject("table", key, [{ header: "token", value: (k) => k.token }, ...columns]));
      ctx.io.err("Copy the token now: it is not shown again. Use it with PICLOUD_TOKEN=… or `picloud login --token …`\n");
    } else {
      ctx.io.out(renderObject(ctx.output, key, [...columns, { header: "token", value: (k) => k.token }]));
    }
  },
};

const ls: CommandSpec = {
  path: ["api-keys", "ls"],
  aliases: ["list"],
  summary: "List your API keys (never their secrets)",
  example: "picloud api-keys ls",
  async run(ctx) {
    ctx.io.out(renderList(ctx.output, await ctx.api().json<ApiKeyRow[]>("GET", `${ADMIN}/api-keys`), columns));
  },
};

const rm: CommandSpec = {
  path: ["api-keys", "rm"],
  aliases: ["delete", "revoke"],
  summary: "Revoke an API key by id",
  usage: "<key-id>",
  example: "picloud api-keys rm 7d1e…",
  positionals: { min: 1, max: 1, names: "<key-id>" },
  async run(ctx, { positionals }) {
    const id = positionals[0]!;
    await ctx.api().json("DELETE", `${ADMIN}/api-keys/${encodeURIComponent(id)}`);
    if (ctx.output === "json") ctx.io.out(renderObject("json", { id, deleted: true }, []));
    else ctx.io.out(`Revoked API key ${id}\n`);
  },
};

export const apiKeyCommands = [mint, ls, rm];
