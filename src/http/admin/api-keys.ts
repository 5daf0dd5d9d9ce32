// `api-keys` endpoints: mint (raw token shown once), list (no secrets), delete own.
import { Elysia } from "elysia";
import type { Auth } from "../../auth/index.ts";
import type { ApiKeys } from "../../services/api-keys.ts";
import { withPrincipal } from "../principal.ts";

export const apiKeysRoutes = ({ auth, apiKeys }: { auth: Auth; apiKeys: ApiKeys }) =>
  new Elysia({ prefix: "/api-keys" })
    .use(withPrincipal(auth))
    .get("/", ({ principal }) => apiKeys.list(principal))
    .post("/", async ({ principal, body, set }) => {
      const key = await apiKeys.create(principal, body);
      set.status = 201;
      set.headers["cache-control"] = "no-store";
      return key;
    })
    .delete("/:id", async ({ principal, params, set }) => {
      await apiKeys.remove(principal, params.id);
      set.status = 204;
      return null;
    });
