// The data plane's entry, ahead of Elysia: user routes and /api/v1/execute
// bypass the admin framework entirely (no body parsing, no hooks), which is
// what keeps a sandboxed request within its CPU budget (DESIGN §2).
import type { Authorizer } from "../../auth/capabilities.ts";
import type { Logger } from "../../log.ts";
import type { Invoker } from "../../services/invoke.ts";
import type { RouteTable } from "../../services/route-table.ts";
import type { ScriptCache } from "../../services/script-cache.ts";
import { EXECUTE_PREFIX, createExecute } from "./execute.ts";
import { errorResponse, pathOf, type RemoteAddr } from "./request.ts";
import { createHttpRunner } from "./run.ts";
import { createUserRoutes } from "./user-routes.ts";

/** Paths the platform answers itself on every host; user routes never see them. */
export function isPlatformPath(path: string): boolean {
  return (
    path === "/healthz" ||
    path === "/version" ||
    path.startsWith("/api/") ||
    path === "/api" ||
    path === "/admin" ||
    path.startsWith("/admin/") ||
    path === "/openapi" ||
    path.startsWith("/openapi/") ||
    path === "/docs" ||
    path.startsWith("/docs/") ||
    path === "/realtime" ||
    path.startsWith("/realtime/")
  );
}

export interface DataPlaneDeps {
  routeTable: RouteTable;
  scripts: ScriptCache;
  invoker: Invoker;
  auth: Pick<Authorizer, "authenticate" | "require">;
  log: Logger;
}

export function createDataPlane(deps: DataPlaneDeps) {
  const run = createHttpRunner(deps);
  const execute = createExecute({ scripts: deps.scripts, run });
  const userRoutes = createUserRoutes({ routeTable: deps.routeTable, scripts: deps.scripts, run });
  const guard = (p: Promise<Response>) =>
    p.catch((e) => {
      deps.log.error("data plane fault", { cause: e });
      return errorResponse("internal", "internal error");
    });

  return {
    /**
     * A Response for data-plane requests; null for the platform's own paths (the caller hands those to Elysia).
     * `remote` is the client's socket address (Bun's `server.requestIP`), never a forwarded header.
     */
    handle(request: Request, remote?: RemoteAddr | null): Promise<Response> | null {
      const path = pathOf(request.url);
      if (path.startsWith(EXECUTE_PREFIX)) return guard(execute(request, path, remote));
      if (isPlatformPath(path)) return null;
      return guard(userRoutes(request, remote));
    },
  };
}

export type DataPlane = ReturnType<typeof createDataPlane>;
