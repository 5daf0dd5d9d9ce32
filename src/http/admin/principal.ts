// `principal` on every admin request of a plugin: bearer token or session
// cookie → Principal, or null (each endpoint then asks for a capability).
import { Elysia } from "elysia";
import type { Authorizer } from "../../auth/capabilities.ts";

export const withPrincipal = (auth: Pick<Authorizer, "authenticate">) =>
  new Elysia({ name: "exec-principal" }).derive({ as: "scoped" }, async ({ request }) => ({
    principal: await auth.authenticate(request),
  }));
