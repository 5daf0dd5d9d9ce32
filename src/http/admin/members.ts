// `apps/{id}/members` endpoints (rules in services/members.ts).
import { Elysia } from "elysia";
import type { Auth } from "../../auth/index.ts";
import type { Members } from "../../services/members.ts";
import { withPrincipal } from "../principal.ts";

export const membersRoutes = ({ auth, members }: { auth: Auth; members: Members }) =>
  new Elysia({ prefix: "/apps" })
    .use(withPrincipal(auth))
    .get("/:id/members", ({ principal, params }) => members.list(principal, params.id))
    .post("/:id/members", async ({ principal, params, body, set }) => {
      const member = await members.add(principal, params.id, body);
      set.status = 201;
      return member;
    })
    .patch("/:id/members/:userId", ({ principal, params, body }) =>
      members.update(principal, params.id, params.userId, body))
    .delete("/:id/members/:userId", async ({ principal, params, set }) => {
      await members.remove(principal, params.id, params.userId);
      set.status = 204;
      return null;
    });
