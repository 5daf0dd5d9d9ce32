// `limits`: the operator's per-script defaults and ceilings, in the snake_case
// names scripts use, so forms can show "default (…)" and "max …" without guessing.
// Any signed-in caller may read them: they bound what that caller's own scripts may ask for.
import { Elysia } from "elysia";
import { z } from "zod";
import type { Auth } from "../../auth/index.ts";
import type { Config } from "../../config.ts";
import { signedIn } from "../../errors.ts";
import { LIMIT_FIELDS, type LimitName, toApiLimits } from "../../services/script-limits.ts";
import { withPrincipal } from "../principal.ts";

const limitsObject = z.object(
  Object.fromEntries(Object.keys(LIMIT_FIELDS).map((k) => [k, z.number().int()])) as Record<LimitName, z.ZodNumber>,
);
export const operatorLimitsSchema = z.object({
  defaults: limitsObject.describe("what a script gets for a limit it does not set"),
  ceilings: limitsObject.describe("the most a script may ask for (PICLOUD_MAX_*)"),
});

export const limitsRoutes = ({ auth, config }: { auth: Auth; config: Config }) =>
  new Elysia({ prefix: "/limits", detail: { tags: ["scripts"] } })
    .use(withPrincipal(auth))
    .get("", ({ principal }) => {
      signedIn(principal);
      return { defaults: toApiLimits(config.runtime.defaults), ceilings: toApiLimits(config.runtime.ceilings) };
    }, {
      response: { 200: operatorLimitsSchema },
      detail: { summary: "The operator's per-script limit defaults and ceilings (any signed-in caller)" },
    });
