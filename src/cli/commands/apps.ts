// apps ls | create | show | delete
import { PicloudError } from "../../errors.ts";
import { ADMIN } from "../client.ts";
import { type CommandSpec, flag, str } from "../command.ts";
import { type Column, renderList, renderObject } from "../output.ts";
import { type AppRow, resolveApp } from "../resolve.ts";

const columns: Column<AppRow>[] = [
  { header: "slug", value: (a) => a.slug },
  { header: "name", value: (a) => a.name },
  { header: "id", value: (a) => a.id },
  { header: "created_at", value: (a) => a.created_at },
];

const detailColumns: Column<AppRow>[] = [
  ...columns,
  { header: "description", value: (a) => a.description },
  { header: "my_role", value: (a) => a.my_role },
];

const ls: CommandSpec = {
  path: ["apps", "ls"],
  aliases: ["list"],
  summary: "List the apps you can see",
  example: "picloud apps ls",
  async run(ctx) {
    const apps = await ctx.api().json<AppRow[]>("GET", `${ADMIN}/apps`);
    ctx.io.out(renderList(ctx.output, apps, columns));
  },
};

const create: CommandSpec = {
  path: ["apps", "create"],
  summary: "Create an app",
  usage: "<slug> [--name NAME] [--description TEXT]",
  example: "picloud apps create blog --name 'My blog'",
  options: { name: { type: "string" }, description: { type: "string" } },
  positionals: { min: 1, max: 1, names: "<slug>" },
  async run(ctx, { values, positionals }) {
    const slug = positionals[0]!;
    const body = { slug, name: str(values, "name") ?? slug, description: str(values, "description") };
    const app = await ctx.api().json<AppRow>("POST", `${ADMIN}/apps`, { body });
    ctx.io.out(renderObject(ctx.output, app, detailColumns));
  },
};

const show: CommandSpec = {
  path: ["apps", "show"],
  aliases: ["get"],
  summary: "Show one app (by slug or id)",
  usage: "<app>",
  example: "picloud apps show default",
  positionals: { min: 1, max: 1, names: "<app>" },
  async run(ctx, { positionals }) {
    const app = await resolveApp(ctx.api(), positionals[0]!);
    ctx.io.out(renderObject(ctx.output, app, detailColumns));
  },
};

const del: CommandSpec = {
  path: ["apps", "delete"],
  aliases: ["rm"],
  summary: "Delete an app; --force also deletes its scripts, routes and domains",
  usage: "<app> [--force]",
  example: "picloud apps delete blog --force",
  options: { force: { type: "boolean" } },
  positionals: { min: 1, max: 1, names: "<app>" },
  async run(ctx, { values, positionals }) {
    const client = ctx.api();
    const app = await resolveApp(client, positionals[0]!);
    const force = flag(values, "force");
    try {
      await client.json("DELETE", `${ADMIN}/apps/${app.id}`, { query: { force: force ? "true" : undefined } });
    } catch (e) {
      if (e instanceof PicloudError && e.code === "conflict" && !force) {
        const scripts = e.details.script_count;
        const domains = e.details.domains;
        const what = [
          typeof scripts === "number" ? `${scripts} script(s)` : undefined,
          Array.isArray(domains) && domains.length > 0
            ? `domains ${domains.map((d) => (typeof d === "string" ? d : String((d as { domain?: unknown }).domain ?? JSON.stringify(d)))).join(", ")}`
            : undefined,
        ].filter(Boolean).join(" and ");
        throw new PicloudError("conflict", `app '${app.slug}' still has ${what || "content"}: re-run with --force to delete it all`, e.details);
      }
      throw e;
    }
    if (ctx.output === "json") ctx.io.out(renderObject("json", { id: app.id, slug: app.slug, deleted: true }, []));
    else ctx.io.out(`Deleted app ${app.slug}\n`);
  },
};

export const appCommands = [ls, create, show, del];
