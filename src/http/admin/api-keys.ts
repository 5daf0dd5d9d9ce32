// `api-keys` endpoints: mint (raw token shown once), list (no secrets), delete own.
import { Elysia } from "elysia";
import type { Auth } from "../../auth/index.ts";
import type { ApiKeys } from "../../services/api-keys.ts";
import { withPrincipal } from "../principal.ts";
import { apiKeyBody, apiKeySchema, mintedKeySchema } from "./identity-schemas.ts";

export const apiKeysRoutes = ({ auth, apiKeys }: { auth: Auth; apiKeys: ApiKeys }) =>
  new Elysia({ prefix: "/api-keys", detail: { tags: ["api-keys"] } })
    .use(withPrincipal(auth))
    .get("/", ({ principal }) => apiKeys.list(principal), {
      response: { 200: apiKeySchema.array() }, detail: { summary: "Your API keys, without secrets (session only)" },
    })
    .post("/", async ({ principal, body, set }) => {
      const key = await apiKeys.create(principal, body);
      set.status = 201;
      set.headers["cache-control"] = "no-store";
      return key;
    }, {
      body: apiKeyBody,
      response: { 201: mintedKeySchema },
      detail: { summary: "Mint an API key; the raw token is in this answer only (session only)" },
    })
    .delete("/:id", async ({ principal, params, set }) => {
      await apiKeys.remove(principal, params.id);
      set.status = 204;
      return null;
    }, { detail: { summary: "Delete one of your keys (anyone else's is a 404)" } });
