// `apps/{id}/members` endpoints (rules in services/members.ts).
import { Elysia } from "elysia";
import type { Auth } from "../../auth/index.ts";
import type { Members } from "../../services/members.ts";
import { withPrincipal } from "../principal.ts";
import { memberBody, memberCandidateSchema, memberCandidatesQuery, memberPatchBody, memberSchema } from "./identity-schemas.ts";

export const membersRoutes = ({ auth, members }: { auth: Auth; members: Members }) =>
  new Elysia({ prefix: "/apps", detail: { tags: ["members"] } })
    .use(withPrincipal(auth))
    .get("/:id/members", ({ principal, params }) => members.list(principal, params.id), {
      response: { 200: memberSchema.array() }, detail: { summary: "An app's members with their user details" },
    })
    .get("/:id/member-candidates", ({ principal, params, query }) => members.candidates(principal, params.id, query.q), {
      // q is checked by the service (422 naming `q`), so the schema only documents it.
      query: memberCandidatesQuery,
      response: { 200: memberCandidateSchema.array() },
      detail: {
        summary: "Up to 10 active instance members, not yet in the app, whose username or email starts with ?q=; needs members:manage; answers id and username only",
      },
    })
    .post("/:id/members", async ({ principal, params, body, set }) => {
      const member = await members.add(principal, params.id, body);
      set.status = 201;
      return member;
    }, { body: memberBody, detail: { summary: "Grant a member user a role; 409 if already a member (promote with PATCH)" } })
    .patch("/:id/members/:userId", ({ principal, params, body }) =>
      members.update(principal, params.id, params.userId, body), {
      body: memberPatchBody, response: { 200: memberSchema }, detail: { summary: "Change a member's role; 404 without a membership" },
    })
    .delete("/:id/members/:userId", async ({ principal, params, set }) => {
      await members.remove(principal, params.id, params.userId);
      set.status = 204;
      return null;
    }, { detail: { summary: "Remove a membership (idempotent)" } });
