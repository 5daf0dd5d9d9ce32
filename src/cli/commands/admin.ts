// admin …: operator commands that work on the server's database directly, no HTTP.
import { ConfigError, loadConfig } from "../../config.ts";
import { createLogger } from "../../log.ts";
import { type CommandSpec, str, usageError } from "../command.ts";
import { renderObject } from "../output.ts";

const resetPassword: CommandSpec = {
  path: ["admin", "reset-password"],
  summary: "Reset a user's password on the database directly (no HTTP; stop the server first on PGlite)",
  usage: "<username> [--data-dir DIR]",
  example: "sudo -u picloud picloud admin reset-password admin --data-dir /var/lib/picloud",
  options: { "data-dir": { type: "string" } },
  positionals: { min: 1, max: 1, names: "<username>" },
  async run(ctx, { values, positionals }) {
    const username = positionals[0]!;
    let config;
    try {
      config = loadConfig(undefined, { dataDir: str(values, "data-dir") });
    } catch (e) {
      if (e instanceof ConfigError) throw usageError(`configuration: ${e.message}`);
      throw e;
    }
    // Only warnings reach the terminal: the new password is the output.
    const log = createLogger("warn");
    const { openDb } = await import("../../db/open.ts");
    const { migrate } = await import("../../db/migrate.ts");
    const { resetPassword: reset } = await import("../../auth/reset-password.ts");
    const db = await openDb(config, log);
    try {
      await migrate(db, log); // an older data dir is brought up to date, as `serve` would
      const password = await reset(db, username);
      if (ctx.output === "table") {
        ctx.io.out(`New password for ${username}: ${password}\n`);
        ctx.io.err("Every session of this user has ended. Log in with `picloud login` and keep the password somewhere safe.\n");
      } else {
        ctx.io.out(renderObject(ctx.output, { username, password }, [
          { header: "username", value: (r) => r.username },
          { header: "password", value: (r) => r.password },
        ]));
      }
    } finally {
      await db.close();
    }
  },
};

export const adminCommands = [resetPassword];
