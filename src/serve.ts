// Starts PiCloud: services, then the HTTP server. Used by `picloud serve` and
// by the test harness (tests/support/), which binds 127.0.0.1 port 0.
import type { Config } from "./config.ts";
import { STATUS } from "./http/errors.ts";
import { createServer } from "./http/server.ts";
import type { Logger } from "./log.ts";
import { createServices, type Services } from "./services/index.ts";

export interface Running {
  url: string;
  port: number;
  services: Services;
  stop(): Promise<void>;
}

/** Bun.serve's idleTimeout is in seconds and at most 255. */
const MAX_IDLE_TIMEOUT_S = 255;

export interface StartOptions {
  /** Print the human "listening on" line to stdout (default true; the test harness turns it off). */
  announce?: boolean;
}

export async function startServer(config: Config, log: Logger, opts: StartOptions = {}): Promise<Running> {
  // Execution logs record the status the client got; only http/ knows that mapping (STYLE §3).
  const services = await createServices(config, log, { httpStatusOf: (code) => STATUS[code] });
  try {
    const server = createServer(services);
    const ceilings = config.runtime.ceilings;
    server.listen({
      hostname: config.host,
      port: config.port,
      // Bun closes idle connections after 10 s by default: a script allowed 30 s
      // of wall clock would lose its answer (DESIGN §5).
      idleTimeout: Math.min(MAX_IDLE_TIMEOUT_S, Math.ceil(ceilings.timeoutMs / 1000) + 15),
      // The hard stop at the socket. Bun refuses past it with an empty, untyped 413
      // before any route runs, so it sits far above every route's own limit (admin
      // 2 MB, scripts ≤ their ceiling) — those refuse first, by Content-Length or while
      // counting a chunked body, with the JSON 413 (DESIGN §5).
      maxRequestBodySize: Math.max(ceilings.requestBodyBytes, 1024 * 1024 * 1024) + 64 * 1024,
    });
    const bound = server.server;
    if (!bound?.port) throw new Error("server did not start");
    const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${bound.port}`;
    log.info("listening", { url, driver: services.db.driver, schema: services.schemaVersion });
    if (opts.announce !== false) {
      const database = services.db.driver === "pglite" ? `embedded database in ${config.dataDir}` : "PostgreSQL server";
      process.stdout.write(`PiCloud listening on ${url} (${database})\n`);
    }
    return {
      url,
      port: bound.port,
      services,
      async stop() {
        await server.stop(true);
        await services.close();
      },
    };
  } catch (e) {
    await services.close();
    throw e;
  }
}
