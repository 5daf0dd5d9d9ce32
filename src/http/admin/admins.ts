// `admins` endpoints: accounts and their instance roles (rules in services/users.ts).
import { Elysia } from "elysia";
import type { Auth } from "../../auth/index.ts";
import type { Users } from "../../services/users.ts";
import { withPrincipal } from "../principal.ts";

export const adminsRoutes = ({ auth, users }: { auth: Auth; users: Users }) =>
  new Elysia({ prefix: "/admins" })
    .use(withPrincipal(auth))
    .get("/", ({ principal }) => users.list(principal))
    .post("/", async ({ principal, body, set }) => {
      const user = await users.create(principal, body);
      set.status = 201;
      return user;
    })
    .get("/:id", ({ principal, params }) => users.get(principal, params.id))
    .patch("/:id", ({ principal, params, body }) => users.update(principal, params.id, body))
    .delete("/:id", async ({ principal, params, set }) => {
      await users.remove(principal, params.id);
      set.status = 204;
      return null;
    });
