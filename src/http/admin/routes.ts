// Admin endpoints for routes (DESIGN §5): list/add per script, delete by id,
// and the match preview. Rights are checked in the routes service on the
// object it loaded.
import { Elysia } from "elysia";
import type { Authorizer } from "../../auth/capabilities.ts";
import type { Routes } from "../../services/routes.ts";
import { withPrincipal } from "./principal.ts";

export const routesRoutes = ({ auth, routes }: { auth: Pick<Authorizer, "authenticate">; routes: Routes }) =>
  new Elysia({ name: "admin-routes" })
    .use(withPrincipal(auth))
    .get("/scripts/:id/routes", ({ params, principal }) => routes.list(principal, params.id), {
      detail: { tags: ["routes"], summary: "List a script's routes" },
    })
    .post(
      "/scripts/:id/routes",
      async ({ params, principal, body, set }) => {
        const route = await routes.create(principal, params.id, body);
        set.status = 201;
        return route;
      },
      {
        detail: {
          tags: ["routes"],
          summary: "Bind the script to a route",
          description:
            "Body: {method?, host_kind?, host?, path_kind?, path}. Kinds are inferred from host and path when absent. " +
            "409 names the clashing route in error.route_id.",
        },
      },
    )
    .delete(
      "/routes/:id",
      async ({ params, principal, set }) => {
        await routes.remove(principal, params.id);
        set.status = 204;
        return null;
      },
      { detail: { tags: ["routes"], summary: "Delete a route" } },
    )
    .post("/routes:match", ({ principal, body }) => routes.match(principal, body), {
      detail: {
        tags: ["routes"],
        summary: "Preview which route and script would answer {method, url}",
      },
    });
