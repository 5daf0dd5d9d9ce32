// Elysia plugin: bearer token or `picloud_session` cookie → `principal` (or null)
// on every route of the instance that uses it. Endpoints then call
// `auth.require(principal, capability, appId)` on the object they loaded.
import { Elysia } from "elysia";
import type { Authorizer, Principal } from "../auth/capabilities.ts";

export const withPrincipal = (auth: Pick<Authorizer, "authenticate">) =>
  new Elysia({ name: "with-principal" }).resolve({ as: "scoped" }, async ({ request }) => ({
    principal: (await auth.authenticate(request)) as Principal | null,
  }));
