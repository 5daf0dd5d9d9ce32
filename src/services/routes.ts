// Routes: bind a script to HTTP requests of its app. Validation and
// precedence rules live in route-patterns.ts; this module checks rights,
// conflicts and keeps the route table in step (here and on other nodes).
import type { Authorizer, Principal } from "../auth/capabilities.ts";
import type { Db } from "../db/db.ts";
import { isUniqueViolation } from "../db/db.ts";
import {
  deleteRoute,
  findConflictingRoute,
  findRoute,
  insertRoute,
  listScriptRoutes,
  type RouteRow,
} from "../db/queries/routes.ts";
import { PicloudError, invalid, notFound, signedIn } from "../errors.ts";
import { isUuid } from "../auth/ids.ts";
import { hostOf, normalizeRoute, type RouteInput } from "./route-patterns.ts";
import type { RouteTable } from "./route-table.ts";
import type { ScriptCache } from "./script-cache.ts";

export interface RouteView {
  id: string;
  app_id: string;
  script_id: string;
  method: string;
  host_kind: string;
  host: string | null;
  path_kind: string;
  path: string;
  created_at: string;
}

export const routeView = (r: RouteRow): RouteView => ({
  id: r.id,
  app_id: r.app_id,
  script_id: r.script_id,
  method: r.method,
  host_kind: r.host_kind,
  host: r.host === "" ? null : r.host,
  path_kind: r.path_kind,
  path: r.path,
  created_at: r.created_at,
});

const describe = (r: RouteRow) => `${r.method} ${r.host ? `${r.host}` : ""}${r.path}`;

function conflict(other: RouteRow): PicloudError {
  return new PicloudError("conflict", `route clashes with ${describe(other)} (route ${other.id})`, {
    route_id: other.id,
    script_id: other.script_id,
    method: other.method,
    host_kind: other.host_kind,
    host: other.host === "" ? null : other.host,
    path_kind: other.path_kind,
    path: other.path,
  });
}



export interface RoutesDeps {
  db: Db;
  auth: Pick<Authorizer, "require">;
  routeTable: RouteTable;
  scripts: ScriptCache;
}

export function createRoutes({ db, auth, routeTable, scripts }: RoutesDeps) {
  async function loadScript(principal: Principal | null, scriptId: string, cap: "route:read" | "route:write") {
    const script = await scripts.get(scriptId);
    if (!script) {
      signedIn(principal);
      throw notFound("script");
    }
    await auth.require(principal, cap, script.spec.app.id);
    return script;
  }

  return {
    async list(principal: Principal | null, scriptId: string): Promise<RouteView[]> {
      const script = await loadScript(principal, scriptId, "route:read");
      return (await listScriptRoutes(db, script.spec.app.id, script.spec.id)).map(routeView);
    },

    async create(principal: Principal | null, scriptId: string, body: unknown): Promise<RouteView> {
      const script = await loadScript(principal, scriptId, "route:write");
      if (script.kind !== "endpoint") {
        throw invalid("script_id", "a module script is imported by other scripts and cannot be bound to a route");
      }
      if (!body || typeof body !== "object" || Array.isArray(body)) throw invalid("body", "must be a JSON object");
      if ("dispatch_mode" in body && (body as { dispatch_mode?: unknown }).dispatch_mode !== "sync") {
        // Async dispatch arrives with the outbox (wave 2); refuse rather than silently run it sync.
        throw invalid("dispatch_mode", "only sync is supported in this version");
      }
      const key = normalizeRoute(body as RouteInput);
      const appId = script.spec.app.id;
      const other = await findConflictingRoute(db, appId, key);
      if (other) throw conflict(other);
      let row: RouteRow;
      try {
        row = await insertRoute(db, appId, script.spec.id, key);
      } catch (e) {
        // Lost a race with a concurrent insert of the same key: report the winner.
        if (isUniqueViolation(e)) {
          const winner = await findConflictingRoute(db, appId, key);
          if (winner) throw conflict(winner);
        }
        throw e;
      }
      await routeTable.changed(appId);
      return routeView(row);
    },

    async remove(principal: Principal | null, routeId: string): Promise<void> {
      const row = isUuid(routeId) ? await findRoute(db, routeId) : null;
      if (!row) {
        signedIn(principal);
        throw notFound("route");
      }
      await auth.require(principal, "route:write", row.app_id);
      if (await deleteRoute(db, row.app_id, row.id)) await routeTable.changed(row.app_id);
    },

    /** Which route and script would answer `method url`, as the data plane would decide it right now. */
    async match(principal: Principal | null, body: unknown) {
      if (!body || typeof body !== "object") throw invalid("body", "must be a JSON object");
      const { method: rawMethod, url: rawUrl } = body as { method?: unknown; url?: unknown };
      const method = rawMethod === undefined ? "GET" : rawMethod;
      if (typeof method !== "string" || !/^[A-Za-z]+$/.test(method)) throw invalid("method", "must be an HTTP method");
      if (typeof rawUrl !== "string") throw invalid("url", "is required");
      let url: URL;
      try {
        url = new URL(rawUrl);
      } catch {
        throw invalid("url", "must be an absolute URL such as http://localhost/hello");
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") throw invalid("url", "must be http or https");
      signedIn(principal);
      await routeTable.pending;
      const host = hostOf(url.host);
      const m = method.toUpperCase();
      const noApp = { matched: false, host, reason: `no app claims host ${host}` };
      const appId = routeTable.resolveApp(host);
      if (!appId) return noApp;
      try {
        await auth.require(principal, "route:read", appId);
      } catch (e) {
        // An app the caller cannot see is, to them, no app at all.
        if (e instanceof PicloudError && e.code === "not_found") return noApp;
        throw e;
      }
      const found = routeTable.match(appId, m, host, url.pathname);
      if (!found) return { matched: false, host, app_id: appId, reason: `no route for ${m} ${url.pathname}` };
      const script = await scripts.get(found.route.script_id);
      return {
        matched: true,
        host,
        app_id: appId,
        app_slug: script?.spec.app.slug ?? null,
        route: routeView(found.route),
        script: script ? { id: script.spec.id, name: script.spec.name, version: script.spec.version } : null,
        params: found.params,
        rest: found.rest,
      };
    },
  };
}

export type Routes = ReturnType<typeof createRoutes>;
