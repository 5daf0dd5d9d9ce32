// `auth/login|logout|me` (DESIGN §5): a session token in the body for API
// clients and the same token in an HttpOnly cookie for the dashboard.
import { Elysia } from "elysia";
import { type Auth, SESSION_COOKIE } from "../../auth/index.ts";
import { PicloudError } from "../../errors.ts";
import { withPrincipal } from "../principal.ts";
import { loginBody, loginSchema, meSchema } from "./identity-schemas.ts";

const COOKIE_MAX_AGE_SECONDS = 400 * 24 * 3600;

/** Secure only when the client reached us over https (directly or through a proxy saying so). */
function isHttps(request: Request): boolean {
  if (new URL(request.url).protocol === "https:") return true;
  const forwarded = request.headers.get("x-forwarded-proto");
  return forwarded?.split(",")[0]?.trim().toLowerCase() === "https";
}

function sessionCookie(request: Request, value: string, maxAgeSeconds: number): string {
  const parts = [`${SESSION_COOKIE}=${encodeURIComponent(value)}`, "Path=/", "HttpOnly", "SameSite=Lax", `Max-Age=${maxAgeSeconds}`];
  if (isHttps(request)) parts.push("Secure");
  return parts.join("; ");
}

export const authRoutes = ({ auth }: { auth: Auth }) =>
  new Elysia({ prefix: "/auth", detail: { tags: ["auth"] } })
    .use(withPrincipal(auth))
    .post("/login", async ({ body, request, set, server }) => {
      const b = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
      const meta = {
        // The socket's address, never a header: a client writes X-Forwarded-For itself.
        ip: server?.requestIP(request)?.address ?? null,
        userAgent: request.headers.get("user-agent"),
      };
      try {
        const result = await auth.login({ username: b.username, password: b.password }, meta);
        // The server's sliding expiry is what ends a session; a cookie with a fixed Max-Age of one TTL
        // would log out a user who stays active past it. So the cookie is long-lived (400 days, the
        // most browsers keep) and a stale one simply meets a 401.
        set.headers["set-cookie"] = sessionCookie(request, result.token, COOKIE_MAX_AGE_SECONDS);
        set.headers["cache-control"] = "no-store";
        return result;
      } catch (e) {
        if (e instanceof PicloudError && e.code === "rate_limited") set.headers["retry-after"] = String(e.details.retry_after);
        throw e;
      }
    }, {
      body: loginBody,
      response: { 200: loginSchema },
      detail: { summary: "Log in: a session token, also set as the HttpOnly picloud_session cookie; 429 + Retry-After when throttled", security: [] },
    })
    .post("/logout", async ({ request, set }) => {
      await auth.logout(auth.credentialOf(request));
      set.headers["set-cookie"] = sessionCookie(request, "", 0);
      set.status = 204;
      return null;
    }, { detail: { summary: "Log out: ends the session server-side and clears the cookie" } })
    .get("/me", async ({ principal }) => {
      if (!principal) throw new PicloudError("unauthorized", "authentication required");
      const me = await auth.me(principal);
      if (!me) throw new PicloudError("unauthorized", "authentication required");
      return me;
    }, { response: { 200: meSchema }, detail: { summary: "The caller: same shape as login's user" } });
