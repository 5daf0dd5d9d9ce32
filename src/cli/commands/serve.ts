// serve: the server itself (src/serve.ts), until SIGINT/SIGTERM.
import { ConfigError, loadConfig } from "../../config.ts";
import { createLogger } from "../../log.ts";
import { type CommandSpec, intOption, str, usageError } from "../command.ts";

const serve: CommandSpec = {
  path: ["serve"],
  summary: "Run the PiCloud server (admin API, user routes, dashboard)",
  usage: "[--port PORT] [--host ADDR] [--data-dir DIR]",
  example: "picloud serve --port 8080 --data-dir /var/lib/picloud",
  options: { port: { type: "string", short: "p" }, host: { type: "string" }, "data-dir": { type: "string" } },
  async run(_ctx, { values }) {
    const port = intOption(values, "port", 0);
    if (port !== undefined && port > 65535) throw usageError("--port must be at most 65535");
    let config;
    try {
      config = loadConfig(undefined, { port, host: str(values, "host"), dataDir: str(values, "data-dir") });
    } catch (e) {
      if (e instanceof ConfigError) throw usageError(`configuration: ${e.message}`);
      throw e;
    }
    const log = createLogger(config.logLevel);
    const { startServer } = await import("../../serve.ts");
    const server = await startServer(config, log);
    // systemd and docker stop with SIGTERM, a terminal with SIGINT: both drain and close the database cleanly.
    const signal = await new Promise<string>((resolve) => {
      process.once("SIGINT", () => resolve("SIGINT"));
      process.once("SIGTERM", () => resolve("SIGTERM"));
    });
    log.info("stopping", { signal });
    await server.stop();
    return 0;
  },
};

export const serveCommands = [serve];
