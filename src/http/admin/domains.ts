// `apps/{id}/domains` endpoints (rules in services/domains.ts).
import { Elysia } from "elysia";
import type { Auth } from "../../auth/index.ts";
import type { Domains } from "../../services/domains.ts";
import { withPrincipal } from "../principal.ts";
import { movedTo } from "./moved.ts";
import { domainBody, domainSchema } from "./schemas.ts";

export const domainsRoutes = ({ auth, domains }: { auth: Auth; domains: Domains }) =>
  new Elysia({ prefix: "/apps", detail: { tags: ["domains"] } })
    .use(withPrincipal(auth))
    .get(
      "/:id/domains",
      async ({ principal, params, request }) => {
        const r = await domains.list(principal, params.id);
        if (r.moved) throw movedTo(request, params.id, r.app.slug);
        return r.domains;
      },
      { detail: { summary: "List an app's domain claims" }, response: { 200: domainSchema.array() } },
    )
    .post(
      "/:id/domains",
      async ({ principal, params, body, request, set }) => {
        const r = await domains.add(principal, params.id, body ?? {});
        if (r.moved) throw movedTo(request, params.id, r.app.slug);
        set.status = 201;
        return r.domain;
      },
      { body: domainBody, parse: "json", detail: { summary: "Claim a domain; 409 naming the other app on a collision" } },
    )
    .delete(
      "/:id/domains/:domainId",
      async ({ principal, params, request, set }) => {
        const r = await domains.remove(principal, params.id, params.domainId);
        if (r.moved) throw movedTo(request, params.id, r.app.slug);
        set.status = 204;
        return null;
      },
      { detail: { summary: "Release a domain claim" } },
    );
