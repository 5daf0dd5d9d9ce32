// The Elysia instance: error boundary first, then health, docs and one plugin
// per resource under /api/v1/admin. Other features add their `.use(...)` here.
import { Elysia } from "elysia";
import type { Services } from "../services/index.ts";
import { API_VERSION, PRODUCT, PRODUCT_VERSION, SDK_VERSION, WIRE_VERSION } from "../version.ts";
import { adminsRoutes } from "./admin/admins.ts";
import { apiKeysRoutes } from "./admin/api-keys.ts";
import { appsRoutes } from "./admin/apps.ts";
import { authRoutes } from "./admin/auth.ts";
import { domainsRoutes } from "./admin/domains.ts";
import { membersRoutes } from "./admin/members.ts";
import { scriptsRoutes } from "./admin/scripts.ts";
import { logsRoutes } from "./admin/logs.ts";
import { limitsRoutes } from "./admin/limits.ts";
import { routesRoutes } from "./admin/routes.ts";
import { adminJsonBody } from "./body.ts";
import { dashboardRoutes } from "./dashboard.ts";
import { createDataPlane } from "./data-plane/index.ts";
import { errorBoundary } from "./errors.ts";
import { openapiRoutes } from "./openapi.ts";

export const ADMIN_PREFIX = "/api/v1/admin";

export function createServer(services: Services) {
  const admin = new Elysia({ prefix: ADMIN_PREFIX })
    .use(authRoutes(services))
    .use(adminsRoutes(services))
    .use(apiKeysRoutes(services))
    .use(appsRoutes(services))
    .use(domainsRoutes(services))
    .use(membersRoutes(services))
    .use(scriptsRoutes(services))
    .use(routesRoutes(services))
    .use(logsRoutes(services))
    .use(limitsRoutes(services));
  const dataPlane = createDataPlane({ ...services, scripts: services.scriptCache });

  return new Elysia({ name: "picloud" })
    .use(errorBoundary(services.log))
    // User routes and /api/v1/execute answer before any admin hook or body parsing (DESIGN §2).
    .onRequest(async ({ request, server }) => {
      // The socket's peer, not X-Forwarded-For: a client can write any header it likes.
      const answer = dataPlane.handle(request, server?.requestIP(request));
      if (answer) return await answer;
    })
    .use(adminJsonBody())
    .use(openapiRoutes())
    .get("/healthz", () => new Response("ok", { headers: { "content-type": "text/plain" } }), {
      detail: { tags: ["service"], summary: "Liveness: answers `ok`" },
    })
    .get(
      "/version",
      () => ({
        product: PRODUCT,
        version: PRODUCT_VERSION,
        sdk: SDK_VERSION,
        api: API_VERSION,
        schema: services.schemaVersion,
        wire: WIRE_VERSION,
      }),
      { detail: { tags: ["service"], summary: "Versions of the product, SDK, API, database schema and worker protocol" } },
    )
    .use(admin)
    // Never reached (onRequest answers first): present so the OpenAPI document lists the data plane.
    .all("/api/v1/execute/:scriptId", ({ request, server }) => dataPlane.handle(request, server?.requestIP(request)), {
      parse: "none",
      detail: {
        tags: ["data plane"],
        summary: "Run an endpoint script by id, with no domain or route (any method; a path after the id is ctx.rest)",
      },
    })
    .use(dashboardRoutes({ log: services.log, dataDir: services.config.dataDir }));
}

export type Server = ReturnType<typeof createServer>;
