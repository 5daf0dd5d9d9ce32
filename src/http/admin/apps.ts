// `apps` endpoints (rules in services/apps.ts). `{id}` is an id or a slug; a
// former slug answers 308 to the new path.
import { Elysia } from "elysia";
import type { Auth } from "../../auth/index.ts";
import type { Apps } from "../../services/apps.ts";
import { notFound } from "../../errors.ts";
import { withPrincipal } from "../principal.ts";
import { movedTo } from "./moved.ts";
import { appBody, appSchema, appWithRoleSchema, slugCheckBody, slugCheckSchema } from "./schemas.ts";

export const appsRoutes = ({ auth, apps }: { auth: Auth; apps: Apps }) =>
  new Elysia({ prefix: "/apps", detail: { tags: ["apps"] } })
    .use(withPrincipal(auth))
    .get("", ({ principal }) => apps.list(principal), {
      detail: { summary: "List the apps the caller can see" },
      response: { 200: appSchema.array() },
    })
    .post(
      "",
      async ({ principal, body, set }) => {
        const app = await apps.create(principal, body ?? {});
        set.status = 201;
        return app;
      },
      { body: appBody, parse: "json", detail: { summary: "Create an app (slug derived from name when absent)" } },
    )
    .get(
      "/:id",
      async ({ principal, params, request }) => {
        const { app, moved, my_role } = await apps.get(principal, params.id);
        if (moved) throw movedTo(request, params.id, app.slug);
        return { ...app, my_role };
      },
      { detail: { summary: "Get an app by id or slug, with the caller's role" }, response: { 200: appWithRoleSchema } },
    )
    .patch(
      "/:id",
      async ({ principal, params, body, request }) => {
        const { app, moved } = await apps.locate(principal, params.id, "app:update");
        if (moved) throw movedTo(request, params.id, app.slug);
        return apps.update(principal, app.id, body ?? {});
      },
      { body: appBody, parse: "json", detail: { summary: "Update name, description or slug (the old slug keeps redirecting)" } },
    )
    .delete(
      "/:id",
      async ({ principal, params, query, request, set }) => {
        const { app, moved } = await apps.locate(principal, params.id, "app:delete");
        if (moved) throw movedTo(request, params.id, app.slug);
        await apps.delete(principal, app.id, query.force === "true" || query.force === "1");
        set.status = 204;
        return null;
      },
      { detail: { summary: "Delete an app; 409 {script_count, domains} unless ?force=true" } },
    )
    // Elysia's router reads `:` inside a segment as a parameter, so `slug:check` is matched by hand.
    .post(
      "/:id/:action",
      async ({ principal, params, body, request }) => {
        if (params.action !== "slug:check") throw notFound("endpoint");
        const { app, moved } = await apps.locate(principal, params.id, "app:update");
        if (moved) throw movedTo(request, params.id, app.slug);
        return apps.checkSlug(principal, app.id, (body as { slug?: unknown } | null)?.slug);
      },
      {
        body: slugCheckBody,
        parse: "json",
        // Documented by hand as /apps/{id}/slug:check in openapi.ts; `{action}` would only confuse.
        detail: { hide: true },
        response: { 200: slugCheckSchema },
      },
    );
