// `picloud help [command]`: the command list, or one command's usage and example.
import pkg from "../../package.json" with { type: "json" };
import type { CommandSpec } from "./command.ts";

const GLOBAL_HELP = [
  "Global options:",
  "  -o, --output table|tsv|json   table on a terminal, TSV (with a header row) in pipes, JSON for programs",
  "  -h, --help                    help for any command",
  "",
  "Environment:",
  "  PICLOUD_URL, PICLOUD_TOKEN    override the saved login for every command",
  "  XDG_CONFIG_HOME               credentials live in $XDG_CONFIG_HOME/picloud (else ~/.config/picloud)",
].join("\n");

function synopsis(c: CommandSpec): string {
  return `picloud ${c.path.join(" ")}${c.usage ? ` ${c.usage}` : ""}`;
}

export function renderHelp(commands: CommandSpec[], words: string[]): string {
  const exact = commands.find((c) => c.path.join(" ") === words.join(" "));
  if (exact && words.length > 0) {
    const lines = [`Usage: ${synopsis(exact)}`, "", exact.summary];
    if (exact.aliases?.length) lines.push("", `Also: ${exact.aliases.map((a) => [...exact.path.slice(0, -1), a].join(" ")).join(", ")}`);
    if (exact.example) lines.push("", "Example:", `  ${exact.example}`);
    return `${lines.join("\n")}\n\n${GLOBAL_HELP}\n`;
  }
  const shown = words.length > 0 ? commands.filter((c) => c.path[0] === words[0]) : commands;
  const list = shown.length > 0 ? shown : commands;
  const width = Math.max(...list.map((c) => c.path.join(" ").length));
  const lines = [
    `picloud ${pkg.version}: self-hosted edge functions, one binary`,
    "",
    "Usage: picloud <command> [options]",
    "",
    "Commands:",
    ...list.map((c) => `  ${c.path.join(" ").padEnd(width)}  ${c.summary}`),
    "",
    "Run `picloud help <command>` (or `picloud <command> --help`) for its options and an example.",
    "",
    GLOBAL_HELP,
  ];
  return `${lines.join("\n")}\n`;
}
