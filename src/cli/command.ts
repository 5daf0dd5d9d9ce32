// What a CLI command is, and what it is handed when it runs.
import type { ParseArgsOptionsConfig } from "node:util";
import type { ClientEnv } from "../config.ts";
import { PicloudError } from "../errors.ts";
import { type Client, createClient } from "./client.ts";
import { type CredentialStore, resolveTarget, type Target } from "./credentials.ts";
import type { CliIo } from "./io.ts";
import type { OutputMode } from "./output.ts";

export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface ParsedArgs {
  values: OptionValues;
  positionals: string[];
}

export interface CommandSpec {
  /** Words that name the command, e.g. ["apps", "ls"]. */
  path: string[];
  /** Other spellings of the last word, e.g. ["list"] for `ls`. */
  aliases?: string[];
  summary: string;
  /** Argument synopsis after the command words, e.g. "<file|folder> [--app SLUG] [--name NAME]". */
  usage?: string;
  example?: string;
  options?: ParseArgsOptionsConfig;
  positionals?: { min: number; max: number; names?: string };
  run(ctx: CommandContext, args: ParsedArgs): Promise<number | void>;
}

export interface CommandContext {
  io: CliIo;
  env: ClientEnv;
  output: OutputMode;
  store: CredentialStore;
  /** Server URL and token after PICLOUD_URL/PICLOUD_TOKEN overrides. */
  target(): Target;
  /** A client with credentials; fails with "not logged in: run `picloud login …`" without them. */
  api(): Client;
  /** A client that needs only the URL (data plane, /version); sends the token when there is one. */
  anonymous(): Client;
}

export const DEFAULT_URL = "http://localhost:8080";

export function createContext(io: CliIo, env: ClientEnv, output: OutputMode, store: CredentialStore): CommandContext {
  const target = () => resolveTarget(env, store.read());
  const needUrl = (t: Target) => {
    if (t.url) return t.url;
    throw new PicloudError("unauthorized", `not logged in: run \`picloud login --url ${DEFAULT_URL}\` (or set PICLOUD_URL and PICLOUD_TOKEN)`);
  };
  return {
    io,
    env,
    output,
    store,
    target,
    api() {
      const t = target();
      const url = needUrl(t);
      if (!t.token) throw new PicloudError("unauthorized", `not logged in: run \`picloud login --url ${url}\` (or set PICLOUD_TOKEN)`);
      return createClient(url, t.token);
    },
    anonymous() {
      const t = target();
      return createClient(needUrl(t), t.token);
    },
  };
}

/** A usage mistake: exit code 2, and the message names the fix. */
export const usageError = (message: string) => new PicloudError("invalid_request", message, { usage: true });

export const str = (values: OptionValues, name: string): string | undefined => {
  const v = values[name];
  return typeof v === "string" ? v : undefined;
};

export const list = (values: OptionValues, name: string): string[] => {
  const v = values[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : typeof v === "string" ? [v] : [];
};

export const flag = (values: OptionValues, name: string): boolean => values[name] === true;

export function intOption(values: OptionValues, name: string, min = 1): number | undefined {
  const v = str(values, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw usageError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return n;
}
