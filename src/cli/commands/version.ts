// version: this binary's version, and the server's when one is configured.
import pkg from "../../../package.json" with { type: "json" };
import { type CommandSpec, flag } from "../command.ts";
import { renderObject } from "../output.ts";

const version: CommandSpec = {
  path: ["version"],
  summary: "Print the CLI version (and the server's, with --server)",
  usage: "[--server]",
  example: "picloud version --server",
  options: { server: { type: "boolean" } },
  async run(ctx, { values }) {
    const info: Record<string, unknown> = { cli: pkg.version, bun: Bun.version, platform: `${process.platform}-${process.arch}` };
    if (flag(values, "server")) {
      const client = ctx.anonymous();
      info.server = await client.json("GET", "/version");
      info.url = client.url;
    }
    if (ctx.output === "table" && !info.server) ctx.io.out(`picloud ${pkg.version} (bun ${Bun.version}, ${info.platform})\n`);
    else ctx.io.out(renderObject(ctx.output, info, Object.keys(info).map((k) => ({ header: k, value: (r: Record<string, unknown>) => r[k] }))));
  },
};

export const versionCommands = [version];
