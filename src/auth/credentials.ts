// What a script may see of the caller's credentials. The data plane resolves
// them into `ctx.principal`; the raw secret must not travel on into the sandbox,
// or any editor of an app on the dashboard's host could harvest an owner's
// session from a page the owner's browser merely loads.
import type { Principal } from "./capabilities.ts";
import { looksLikeApiKey } from "./api-keys.ts";

const SESSION_COOKIE = "picloud_session";

/**
 * The request's headers as `[name, value]` pairs, minus PiCloud credentials: the
 * `picloud_session` cookie always; `Authorization: Bearer …` when it is a
 * `pic_…` key or was resolved into `principal`. Any other bearer (a script's own
 * token scheme) and every other cookie pass through.
 */
export function headersForScript(request: Request, principal: Principal | null): [string, string][] {
  const out: [string, string][] = [];
  request.headers.forEach((value, name) => {
    if (name === "cookie") {
      const kept = value
        .split(";")
        .filter((part) => part.trim() !== "" && part.slice(0, part.indexOf("=")).trim() !== SESSION_COOKIE)
        .join(";")
        .trim();
      if (kept !== "") out.push([name, kept]);
      return;
    }
    if (name === "authorization") {
      const bearer = /^Bearer\s+(\S+)\s*$/i.exec(value)?.[1];
      if (bearer && (principal !== null || looksLikeApiKey(bearer))) return;
    }
    out.push([name, value]);
  });
  return out;
}
