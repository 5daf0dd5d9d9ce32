// `scripts` endpoints (rules in services/scripts.ts).
import { Elysia } from "elysia";
import type { Auth } from "../../auth/index.ts";
import type { Scripts } from "../../services/scripts.ts";
import { withPrincipal } from "../principal.ts";
import { rollbackBody, scriptCreateBody, scriptPatchBody, scriptSchema, scriptVersionSchema } from "./schemas.ts";

export const scriptsRoutes = ({ auth, scripts }: { auth: Auth; scripts: Scripts }) =>
  new Elysia({ prefix: "/scripts", detail: { tags: ["scripts"] } })
    .use(withPrincipal(auth))
    .get("", ({ principal, query }) => scripts.list(principal, query.app || undefined), {
      detail: { summary: "List scripts, of one app (?app=id or slug) or of every visible app" },
      response: { 200: scriptSchema.array() },
    })
    .post(
      "",
      async ({ principal, body, set }) => {
        const script = await scripts.create(principal, body);
        set.status = 201;
        return script;
      },
      { body: scriptCreateBody, parse: "json", detail: { summary: "Create a script (compiled at save; 422 with line/column)" } },
    )
    .get("/:id", ({ principal, params }) => scripts.get(principal, params.id), {
      detail: { summary: "Get a script" },
      response: { 200: scriptSchema },
    })
    .patch("/:id", ({ principal, params, body }) => scripts.update(principal, params.id, body), {
      body: scriptPatchBody,
      parse: "json",
      detail: { summary: "Update a script; a changed source is a new version" },
      response: { 200: scriptSchema },
    })
    .delete(
      "/:id",
      async ({ principal, params, set }) => {
        await scripts.delete(principal, params.id);
        set.status = 204;
        return null;
      },
      { detail: { summary: "Delete a script and its versions" } },
    )
    .get("/:id/versions", ({ principal, params }) => scripts.versions(principal, params.id), {
      detail: { summary: "Every version of a script, newest first" },
      response: { 200: scriptVersionSchema.array() },
    })
    .post("/:id/rollback", ({ principal, params, body }) => scripts.rollback(principal, params.id, body), {
      body: rollbackBody,
      parse: "json",
      detail: { summary: "Save an old version's source as a new version" },
      response: { 200: scriptSchema },
    });
