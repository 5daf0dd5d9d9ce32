// Every command, in the order `picloud help` lists them.
import type { CommandSpec } from "../command.ts";
import { adminCommands } from "./admin.ts";
import { apiKeyCommands } from "./api-keys.ts";
import { appCommands } from "./apps.ts";
import { authCommands } from "./auth.ts";
import { invokeCommands } from "./invoke.ts";
import { logCommands } from "./logs.ts";
import { routeCommands } from "./routes.ts";
import { scriptCommands } from "./scripts.ts";
import { serveCommands } from "./serve.ts";
import { versionCommands } from "./version.ts";

export const commands: CommandSpec[] = [
  ...serveCommands,
  ...authCommands,
  ...appCommands,
  ...scriptCommands,
  ...routeCommands,
  ...invokeCommands,
  ...logCommands,
  ...apiKeyCommands,
  ...adminCommands,
  ...versionCommands,
];
