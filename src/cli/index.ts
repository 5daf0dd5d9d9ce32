// Placeholder until the CLI lands (issue #5): only `serve` is wired.
import { loadConfig } from "../config.ts";
import { createLogger } from "../log.ts";

export async function runCli(argv: string[]): Promise<number> {
  const [command = "serve"] = argv;
  if (command !== "serve") {
    process.stderr.write(`picloud: unknown command '${command}'\n`);
    return 2;
  }
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const { startServer } = await import("../serve.ts");
  await startServer(config, log);
  return new Promise<number>(() => {}); // serve until signalled
}
