// argv → a command. Exit codes: 0 ok, 1 failure, 2 usage.
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { type ClientEnv, loadClientEnv } from "../config.ts";
import { PicloudError } from "../errors.ts";
import { type CommandSpec, createContext, usageError } from "./command.ts";
import { commands } from "./commands/index.ts";
import { createCredentialStore } from "./credentials.ts";
import { renderHelp } from "./help.ts";
import { type CliIo, processIo } from "./io.ts";
import { OUTPUT_MODES, type OutputMode } from "./output.ts";

const GLOBAL_OPTIONS: ParseArgsOptionsConfig = {
  output: { type: "string", short: "o" },
  help: { type: "boolean", short: "h" },
};

/** Finds the command named by the leading words of argv; `rest` is what follows them. */
export function findCommand(argv: string[]): { command?: CommandSpec; words: string[]; rest: string[] } {
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith("-")) break;
    words.push(a);
  }
  let best: CommandSpec | undefined;
  for (const c of commands) {
    if (c.path.length > words.length || (best && best.path.length >= c.path.length)) continue;
    const matches = c.path.every((w, i) => words[i] === w || (i === c.path.length - 1 && c.aliases?.includes(words[i]!)));
    if (matches) best = c;
  }
  const used = best ? best.path.length : 0;
  return { command: best, words, rest: [...argv.slice(used)] };
}

/** Global options may come before the command words: `picloud -o json apps ls`. */
function hoistGlobals(argv: string[]): string[] {
  const front: string[] = [];
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith("-")) {
    const a = argv[i]!;
    if ((a === "-o" || a === "--output") && i + 1 < argv.length) {
      front.push(a, argv[i + 1]!);
      i += 2;
    } else {
      front.push(a);
      i += 1;
    }
  }
  return [...argv.slice(i), ...front];
}

function outputMode(value: unknown, io: CliIo): OutputMode {
  if (value === undefined) return io.stdoutIsTty ? "table" : "tsv";
  if (typeof value === "string" && (OUTPUT_MODES as readonly string[]).includes(value)) return value as OutputMode;
  throw usageError(`--output must be one of ${OUTPUT_MODES.join(", ")}`);
}

export async function runCli(argv: string[], io: CliIo = processIo(), env: ClientEnv = loadClientEnv()): Promise<number> {
  try {
    const args = hoistGlobals(argv);
    if (args.length === 0 || args[0] === "help" || (args[0] === "--help" || args[0] === "-h")) {
      const topic = args[0] === "help" ? findCommand(args.slice(1)) : { words: [] as string[] };
      io.out(renderHelp(commands, topic.words));
      return 0;
    }
    if (args[0] === "--version") args[0] = "version";
    const { command, words, rest } = findCommand(args);
    if (!command) {
      const group = commands.filter((c) => c.path[0] === words[0]);
      if (group.length > 0) {
        io.err(`picloud: ${words.length > 1 ? `unknown command '${words.join(" ")}'` : `'${words[0]}' needs a subcommand`}\n\n`);
        io.err(renderHelp(commands, [words[0]!]));
      } else {
        io.err(`picloud: unknown command '${words[0] ?? args[0]}': run \`picloud help\` for the list\n`);
      }
      return 2;
    }
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
    } catch (e) {
      throw usageError(`${e instanceof Error ? e.message : String(e)}: see \`picloud ${command.path.join(" ")} --help\``);
    }
    if (parsed.values.help) {
      io.out(renderHelp(commands, command.path));
      return 0;
    }
    const { min, max, names } = command.positionals ?? { min: 0, max: 0 };
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
      const want = names ? ` ${names}` : " no arguments";
      throw usageError(`\`picloud ${command.path.join(" ")}\` takes${want}: see \`picloud ${command.path.join(" ")} --help\``);
    }
    const ctx = createContext(io, env, outputMode(parsed.values.output, io), createCredentialStore(env.configDir));
    const code = await command.run(ctx, { values: parsed.values, positionals: parsed.positionals });
    return code ?? 0;
  } catch (e) {
    if (e instanceof PicloudError) {
      io.err(`picloud: ${e.message}\n`);
      return e.details.usage === true ? 2 : 1;
    }
    io.err(`picloud: unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
