// Scripts: compiled at save (422 with line/column on a syntax error), limits
// checked against the operator ceilings, every code change a new version
// kept in script_versions; rollback copies an old version forward (DESIGN §3, §5).
import type { Authorizer, Capability, Principal } from "../auth/capabilities.ts";
import { type Db, isUniqueViolation, type Queryable } from "../db/db.ts";
import * as q from "../db/queries/scripts.ts";
import { invalid, notFound, PicloudError } from "../errors.ts";
import type { CompileResult, Limits, ScriptSpec } from "../runtime/types.ts";
import type { App, Apps } from "./apps.ts";
import { isUuid } from "../auth/ids.ts";
import { ROUTE_TABLE_CHANNEL } from "./route-table-channel.ts";
import { checkLimits, type ScriptLimits, toRuntimeLimits } from "./script-limits.ts";

export type ScriptKind = "endpoint" | "module";
export type CompileFn = (source: string, opts: { filename: string; kind: ScriptKind }) => Promise<CompileResult>;

/** A script as the API shows it: everything but the compiled code. */
export interface Script extends Omit<q.ScriptRow, "compiled" | "limits"> {
  limits: ScriptLimits;
}

export interface ScriptVersion {
  script_id: string;
  version: number;
  source: string;
  imports: string[];
  created_at: string;
}

export interface ScriptInput {
  app_id?: unknown;
  name?: unknown;
  description?: unknown;
  kind?: unknown;
  source?: unknown;
  limits?: unknown;
}

/** Largest accepted source; the admin body limit is a little above it. */
export const MAX_SOURCE_BYTES = 1024 * 1024;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const toScript = ({ compiled: _compiled, ...row }: q.ScriptRow): Script => row;

/** What the runtime needs to run a stored script. */
export function toScriptSpec(row: q.ScriptRow, app: { id: string; slug: string }): ScriptSpec {
  return {
    id: row.id,
    version: row.version,
    name: row.name,
    app: { id: app.id, slug: app.slug },
    code: row.compiled,
    limits: toRuntimeLimits(row.limits),
  };
}

function cleanName(v: unknown): string {
  if (typeof v !== "string") throw invalid("name", "must be a string");
  if (!NAME.test(v)) throw invalid("name", "1–64 letters, digits, '.', '_' or '-', starting with a letter or digit");
  return v;
}
function cleanKind(v: unknown): ScriptKind {
  if (v !== "endpoint" && v !== "module") throw invalid("kind", "must be 'endpoint' or 'module'");
  return v;
}
function cleanDescription(v: unknown): string {
  if (typeof v !== "string") throw invalid("description", "must be a string");
  if (v.length > 2000) throw invalid("description", "must be at most 2000 characters");
  return v;
}
function cleanSource(v: unknown): string {
  if (typeof v !== "string") throw invalid("source", "must be a string");
  if (Buffer.byteLength(v) > MAX_SOURCE_BYTES) throw invalid("source", `must be at most ${MAX_SOURCE_BYTES} bytes`);
  return v;
}

export interface ScriptsDeps {
  db: Db;
  auth: Authorizer;
  apps: Apps;
  compile: CompileFn;
  ceilings: Limits;
}

export function createScripts({ db, auth, apps, compile, ceilings }: ScriptsDeps) {
  async function compileOrThrow(name: string, source: string, kind: ScriptKind) {
    const result = await compile(source, { filename: `${name}.ts`, kind });
    if (!result.ok) {
      const first = result.errors[0];
      const where = first ? ` at ${first.line}:${first.column}` : "";
      throw new PicloudError("invalid_request", `source does not compile${where}: ${first?.message ?? "unknown error"}`, {
        field: "source",
        errors: result.errors,
      });
    }
    return result;
  }

  /** Loads the script's app first, checks the capability there, then the script scoped by that app. */
  async function load(principal: Principal | null, id: string, capability: Capability): Promise<q.ScriptRow> {
    if (!principal) throw new PicloudError("unauthorized", "sign in or send an API key");
    const appId = isUuid(id) ? await q.findScriptAppId(db, id) : null;
    if (!appId) throw notFound("script");
    await auth.require(principal, capability, appId);
    const row = await q.findScript(db, appId, id);
    if (!row) throw notFound("script");
    return row;
  }

  const nameTaken = async (qx: Queryable, appId: string, name: string) => {
    const other = await q.findScriptByName(qx, appId, name);
    return new PicloudError("conflict", `a script named '${name}' already exists in this app`, {
      field: "name",
      script_id: other?.id,
    });
  };

  async function insertUnchecked(app: App, input: ScriptInput): Promise<Script> {
    const name = cleanName(input.name);
    const kind = input.kind === undefined ? "endpoint" : cleanKind(input.kind);
    const description = input.description === undefined ? "" : cleanDescription(input.description);
    const source = cleanSource(input.source);
    const limits = checkLimits(input.limits, ceilings);
    if (await q.findScriptByName(db, app.id, name)) throw await nameTaken(db, app.id, name);
    const compiled = await compileOrThrow(name, source, kind);
    const row = await db
      .transaction(async (tx) => {
        const created = await q.insertScript(tx, app.id, {
          name, description, kind, source, limits,
          compiled: compiled.code, imports: compiled.imports, handlers: compiled.handlers,
        });
        await q.insertScriptVersion(tx, app.id, {
          script_id: created.id, version: created.version, source,
          compiled: compiled.code, imports: compiled.imports, handlers: compiled.handlers,
        });
        return created;
      })
      .catch(async (e) => {
        if (isUniqueViolation(e)) throw await nameTaken(db, app.id, name);
        throw e;
      });
    await db.notify(ROUTE_TABLE_CHANNEL, app.id);
    return toScript(row);
  }

  /** Writes `next` over the script; a new version when the code (source or kind) changed. */
  async function save(
    current: q.ScriptRow,
    next: Omit<q.NewScript, "compiled" | "imports" | "handlers">,
    opts: { newVersion?: boolean } = {},
  ): Promise<Script> {
    const codeChanged = opts.newVersion || next.source !== current.source || next.kind !== current.kind;
    const compiled = codeChanged
      ? await compileOrThrow(next.name, next.source, next.kind)
      : { code: current.compiled, imports: current.imports, handlers: current.handlers };
    const row = await db
      .transaction(async (tx) => {
        const locked = await q.lockScript(tx, current.app_id, current.id);
        if (!locked) throw notFound("script");
        const version = codeChanged ? locked.version + 1 : locked.version;
        const saved = await q.updateScript(tx, current.app_id, current.id, {
          ...next, version, compiled: compiled.code, imports: compiled.imports, handlers: compiled.handlers,
        });
        if (codeChanged) {
          await q.insertScriptVersion(tx, current.app_id, {
            script_id: current.id, version, source: next.source,
            compiled: compiled.code, imports: compiled.imports, handlers: compiled.handlers,
          });
        }
        return saved!;
      })
      .catch(async (e) => {
        if (isUniqueViolation(e, "scripts_app_name")) throw await nameTaken(db, current.app_id, next.name);
        throw e;
      });
    await db.notify(ROUTE_TABLE_CHANNEL, current.app_id);
    return toScript(row);
  }

  return {
    insertUnchecked,

    /** Without authorization: for the data plane (invoke by id) and the seed. */
    async findById(id: string): Promise<q.ScriptRow | null> {
      const appId = isUuid(id) ? await q.findScriptAppId(db, id) : null;
      return appId ? q.findScript(db, appId, id) : null;
    },

    /** `GET scripts?app=` — one app (id or slug) or every app the caller sees. */
    async list(principal: Principal | null, app?: string): Promise<Script[]> {
      if (!principal) throw new PicloudError("unauthorized", "sign in or send an API key");
      if (app) {
        const { app: found } = await apps.locate(principal, app, "script:read");
        return (await q.listScripts(db, [found.id])).map(toScript);
      }
      const p = await auth.require(principal, "script:read"); // the key's scope; apps are filtered below
      return (await q.listScripts(db, await auth.visibleAppIds(p))).map(toScript);
    },

    async get(principal: Principal | null, id: string): Promise<Script> {
      return toScript(await load(principal, id, "script:read"));
    },

    async create(principal: Principal | null, input: ScriptInput): Promise<Script> {
      if (input.app_id === undefined) throw invalid("app_id", "required");
      if (typeof input.app_id !== "string") throw invalid("app_id", "must be a string");
      if (!principal) throw new PicloudError("unauthorized", "sign in or send an API key");
      // An unknown app here is bad input in the body, not a missing resource at the path.
      const { app } = await apps.locate(principal, input.app_id, "script:write").catch((e) => {
        if (e instanceof PicloudError && e.code === "not_found") throw invalid("app_id", "no such app");
        throw e;
      });
      return insertUnchecked(app, input);
    },

    async update(principal: Principal | null, id: string, patch: ScriptInput): Promise<Script> {
      const current = await load(principal, id, "script:write");
      if (patch.app_id !== undefined && patch.app_id !== current.app_id) {
        throw invalid("app_id", "a script cannot move to another app");
      }
      return save(current, {
        name: patch.name === undefined ? current.name : cleanName(patch.name),
        description: patch.description === undefined ? current.description : cleanDescription(patch.description),
        kind: patch.kind === undefined ? current.kind : cleanKind(patch.kind),
        source: patch.source === undefined ? current.source : cleanSource(patch.source),
        limits: patch.limits === undefined ? current.limits : checkLimits(patch.limits, ceilings),
      });
    },

    async delete(principal: Principal | null, id: string): Promise<void> {
      const current = await load(principal, id, "script:delete");
      if (!(await q.deleteScript(db, current.app_id, current.id))) throw notFound("script");
      await db.notify(ROUTE_TABLE_CHANNEL, current.app_id);
    },

    async versions(principal: Principal | null, id: string): Promise<ScriptVersion[]> {
      const current = await load(principal, id, "script:read");
      const rows = await q.listScriptVersions(db, current.app_id, current.id);
      return rows.map(({ script_id, version, source, imports, created_at }) => ({ script_id, version, source, imports, created_at }));
    },

    /** A new version carrying `version`'s source; history is never rewritten. */
    async rollback(principal: Principal | null, id: string, body: { version?: unknown }): Promise<Script> {
      const current = await load(principal, id, "script:write");
      const v = body.version;
      if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw invalid("version", "must be a positive integer");
      // `version` is an int4 column: a larger number would be a driver error (a 500), not "no such version".
      const old = v > 2_147_483_647 ? null : await q.findScriptVersion(db, current.app_id, current.id, v);
      if (!old) throw invalid("version", `script has no version ${v}`);
      return save(
        current,
        { name: current.name, description: current.description, kind: current.kind, limits: current.limits, source: old.source },
        { newVersion: true },
      );
    },
  };
}

export type Scripts = ReturnType<typeof createScripts>;
