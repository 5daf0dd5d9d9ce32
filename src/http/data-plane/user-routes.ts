// Every request that is not the platform's own: Host → app (domain claims) →
// route (method, host, path) → script, all from memory.
import type { RouteTable } from "../../services/route-table.ts";
import type { ScriptCache } from "../../services/script-cache.ts";
import { hostOf } from "../../services/route-patterns.ts";
import { errorResponse, pathOf, type RemoteAddr } from "./request.ts";
import type { HttpRunner } from "./run.ts";

export function createUserRoutes({ routeTable, scripts, run }: { routeTable: RouteTable; scripts: ScriptCache; run: HttpRunner }) {
  return async function handleUserRoute(request: Request, remote?: RemoteAddr | null): Promise<Response> {
    const host = hostOf(request.headers.get("host"));
    const path = pathOf(request.url);
    let appId = routeTable.resolveApp(host);
    let match = appId ? routeTable.match(appId, request.method, host, path) : null;
    if (!match && routeTable.pending) {
      // A change is being loaded: answer from the new table rather than 404 on the old one.
      await routeTable.pending;
      appId = routeTable.resolveApp(host);
      match = appId ? routeTable.match(appId, request.method, host, path) : null;
    }
    if (!appId) return errorResponse("not_found", `no app claims host ${host || "(none)"}`, { host });
    if (!match) return errorResponse("not_found", `no route for ${request.method} ${path}`, { method: request.method, path });
    const script = await scripts.get(match.route.script_id);
    // A script turned into a module after it was bound is imported, never invoked (DESIGN §3).
    if (!script || script.kind !== "endpoint") return errorResponse("not_found", `no route for ${request.method} ${path}`, { method: request.method, path });
    return run(request, script, match.params, match.rest, remote);
  };
}
