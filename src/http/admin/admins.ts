// `admins` endpoints: accounts and their instance roles (rules in services/users.ts).
import { Elysia } from "elysia";
import type { Auth } from "../../auth/index.ts";
import type { Users } from "../../services/users.ts";
import { withPrincipal } from "../principal.ts";
import { userCreateBody, userPatchBody, userSchema } from "./identity-schemas.ts";

export const adminsRoutes = ({ auth, users }: { auth: Auth; users: Users }) =>
  new Elysia({ prefix: "/admins", detail: { tags: ["users"] } })
    .use(withPrincipal(auth))
    .get("/", ({ principal }) => users.list(principal), {
      response: { 200: userSchema.array() }, detail: { summary: "List users (owners and admins)" },
    })
    .post("/", async ({ principal, body, set }) => {
      const user = await users.create(principal, body);
      set.status = 201;
      return user;
    }, { body: userCreateBody, detail: { summary: "Create a user; only an owner grants owner" } })
    .get("/:id", ({ principal, params }) => users.get(principal, params.id), {
      response: { 200: userSchema }, detail: { summary: "One user" },
    })
    .patch("/:id", ({ principal, params, body }) => users.update(principal, params.id, body), {
      body: userPatchBody,
      response: { 200: userSchema },
      detail: { summary: "Change a user (JSON Merge Patch); the last active owner cannot be demoted or deactivated" },
    })
    .delete("/:id", async ({ principal, params, set }) => {
      await users.remove(principal, params.id);
      set.status = 204;
      return null;
    }, { detail: { summary: "Delete a user; the last active owner cannot be deleted" } });
