// Names people type → the ids the API wants: apps by slug or id, scripts by
// id, `app/name` or name (with --app, default "default").
import { PicloudError } from "../errors.ts";
import { ADMIN, type Client } from "./client.ts";
import { isUuid } from "../auth/ids.ts";

export interface AppRow {
  id: string;
  slug: string;
  name?: string;
  [k: string]: unknown;
}

export interface ScriptRow {
  id: string;
  app_id: string;
  name: string;
  version: number;
  kind?: string;
  [k: string]: unknown;
}

export const DEFAULT_APP = "default";
export const isId = (s: string) => isUuid(s);

const enc = encodeURIComponent;

export async function resolveApp(client: Client, ref: string): Promise<AppRow> {
  try {
    return await client.json<AppRow>("GET", `${ADMIN}/apps/${enc(ref)}`);
  } catch (e) {
    if (e instanceof PicloudError && e.code === "not_found") {
      throw new PicloudError("not_found", `app '${ref}' not found: list apps with \`picloud apps ls\` or create it with \`picloud apps create ${ref}\``);
    }
    throw e;
  }
}

export async function listScripts(client: Client, app: AppRow): Promise<ScriptRow[]> {
  return client.json<ScriptRow[]>("GET", `${ADMIN}/scripts`, { query: { app: app.id } });
}

/** Splits `app/name` into its parts; a bare name takes `--app` (or the default app). */
export function splitScriptRef(ref: string, appOption: string | undefined): { app: string; name: string } {
  const slash = ref.indexOf("/");
  if (slash > 0) return { app: ref.slice(0, slash), name: ref.slice(slash + 1) };
  return { app: appOption ?? DEFAULT_APP, name: ref };
}

export async function resolveScript(client: Client, ref: string, appOption: string | undefined): Promise<ScriptRow> {
  if (isId(ref)) {
    try {
      return await client.json<ScriptRow>("GET", `${ADMIN}/scripts/${ref}`);
    } catch (e) {
      if (e instanceof PicloudError && e.code === "not_found") {
        throw new PicloudError("not_found", `script ${ref} not found: list scripts with \`picloud scripts ls --app SLUG\``);
      }
      throw e;
    }
  }
  const { app: appRef, name } = splitScriptRef(ref, appOption);
  const app = await resolveApp(client, appRef);
  const script = (await listScripts(client, app)).find((s) => s.name === name);
  if (!script) {
    throw new PicloudError(
      "not_found",
      `script '${name}' not found in app '${app.slug}': list them with \`picloud scripts ls --app ${app.slug}\``,
    );
  }
  return script;
}
