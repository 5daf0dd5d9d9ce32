// App slugs: the name in URLs and paths, so they are strict.
import { isUuid } from "../auth/ids.ts";

/** Words that name PiCloud's own surfaces or would confuse a reader of a URL. */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  "admin", "api", "app", "apps", "assets", "auth", "dashboard", "docs", "execute", "healthz",
  "login", "logout", "me", "new", "openapi", "picloud", "realtime", "static", "system", "version", "www",
]);

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why `slug` is not acceptable, or null when it is. */
export function slugProblem(slug: string): string | null {
  if (slug.length < 1 || slug.length > 63) return "must be 1–63 characters";
  if (!SLUG.test(slug)) return "only lowercase letters, digits and dashes, not starting or ending with a dash";
  if (RESERVED_SLUGS.has(slug)) return `'${slug}' is reserved`;
  // `GET apps/{idOrSlug}` must never be ambiguous.
  if (isUuid(slug)) return "must not look like an id";
  return null;
}

/** A slug suggestion from a display name: `My Blog!` → `my-blog`. */
export function slugFromName(name: string): string {
  return name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
}
