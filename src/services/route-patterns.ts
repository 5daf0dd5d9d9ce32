// Route validation, normalisation and precedence: pure functions, no I/O.
// The rules (docs/routes.md):
//   host:   strict beats wildcard (longer suffix first) beats any;
//   path:   exact beats param beats prefix; the longest prefix wins; between two
//           param routes, the first segment where one is literal and the other a
//           parameter decides (literal wins);
//   method: a named verb beats ANY.
// This order is total except for routes whose keys are identical, so "conflict"
// means exactly that: same method, host and path shape (parameter names erased).
import { ROUTE_METHODS, type HostKind, type PathKind, type RouteKey, type RouteMethod } from "../db/queries/routes.ts";
import { invalid } from "../errors.ts";

/** A route as the admin API receives it (snake_case, every field optional but `path`). */
export interface RouteInput {
  method?: unknown;
  host_kind?: unknown;
  host?: unknown;
  path_kind?: unknown;
  path?: unknown;
}

const HOST_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_PATH = 1024;

export function isHostname(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  return host.split(".").every((label) => HOST_LABEL.test(label));
}

/** Validate and normalise a route; throws a 422 naming the field. Kinds are inferred when absent. */
export function normalizeRoute(input: RouteInput): RouteKey {
  const method = normalizeMethod(input.method);
  const { hostKind, host } = normalizeHost(input.host_kind, input.host);
  const { pathKind, path, pathShape } = normalizePath(input.path_kind, input.path);
  return { method, hostKind, host, pathKind, path, pathShape };
}

function normalizeMethod(raw: unknown): RouteMethod {
  if (raw === undefined || raw === null || raw === "") return "ANY";
  if (typeof raw !== "string") throw invalid("method", "must be a string");
  const m = raw.toUpperCase();
  if (m === "*") return "ANY";
  if (!(ROUTE_METHODS as readonly string[]).includes(m)) {
    throw invalid("method", `must be one of ${ROUTE_METHODS.join(", ")}`);
  }
  return m as RouteMethod;
}

function normalizeHost(rawKind: unknown, rawHost: unknown): { hostKind: HostKind; host: string } {
  if (rawHost !== undefined && rawHost !== null && typeof rawHost !== "string") {
    throw invalid("host", "must be a string");
  }
  const host = ((rawHost as string | undefined | null) ?? "").trim().toLowerCase().replace(/\.$/, "");
  const inferred: HostKind = host === "" || host === "*" ? "any" : host.startsWith("*.") ? "wildcard" : "strict";
  if (rawKind !== undefined && rawKind !== null && !["any", "strict", "wildcard"].includes(rawKind as string)) {
    throw invalid("host_kind", "must be one of any, strict, wildcard");
  }
  const kind = (rawKind as HostKind | undefined | null) ?? inferred;
  if (kind === "any") {
    if (host !== "" && host !== "*") throw invalid("host", "must be empty when host_kind is any");
    return { hostKind: "any", host: "" };
  }
  if (kind === "wildcard") {
    if (!host.startsWith("*.") || !isHostname(host.slice(2))) {
      throw invalid("host", "a wildcard host looks like *.example.com");
    }
    return { hostKind: "wildcard", host };
  }
  if (!isHostname(host)) throw invalid("host", "must be a hostname such as api.example.com (no scheme, no port)");
  return { hostKind: "strict", host };
}

function normalizePath(rawKind: unknown, rawPath: unknown): { pathKind: PathKind; path: string; pathShape: string } {
  if (typeof rawPath !== "string" || rawPath === "") throw invalid("path", "is required");
  if (!rawPath.startsWith("/")) throw invalid("path", "must start with /");
  if (rawPath.length > MAX_PATH) throw invalid("path", `must be at most ${MAX_PATH} characters`);
  if (/[?#]/.test(rawPath)) throw invalid("path", "must not contain a query (?) or fragment (#)");
  if (rawPath.includes("//")) throw invalid("path", "must not contain empty segments (//)");
  // Canonical percent-encoding, the form request paths arrive in.
  let path = new URL(rawPath, "http://x").pathname;
  if (path !== rawPath && /\/\.\.?(\/|$)/.test(rawPath)) throw invalid("path", "must not contain . or .. segments");
  path = path.replace(/%3A/gi, ":").replace(/%2A/gi, "*");

  const looksPrefix = path.endsWith("/*");
  const looksParam = path.split("/").some((s) => s.startsWith(":"));
  if (rawKind !== undefined && rawKind !== null && !["exact", "prefix", "param"].includes(rawKind as string)) {
    throw invalid("path_kind", "must be one of exact, prefix, param");
  }
  const kind = (rawKind as PathKind | undefined | null) ?? (looksPrefix ? "prefix" : looksParam ? "param" : "exact");

  if (kind === "exact") return { pathKind: "exact", path, pathShape: path };
  if (kind === "prefix") {
    const base = looksPrefix ? path.slice(0, -2) : path.replace(/\/$/, "");
    if (base.includes("*")) throw invalid("path", "a prefix path has one * at its end, like /static/*");
    const p = `${base}/*`;
    return { pathKind: "prefix", path: p, pathShape: p };
  }
  const segments = path.split("/").slice(1);
  const names = new Set<string>();
  for (const s of segments) {
    if (!s.startsWith(":")) continue;
    const name = s.slice(1);
    if (!PARAM_NAME.test(name)) throw invalid("path", `parameter '${s}' must be :name with letters, digits or _`);
    if (names.has(name)) throw invalid("path", `parameter :${name} appears twice`);
    names.add(name);
  }
  if (names.size === 0) throw invalid("path", "a param path needs at least one :name segment, like /greet/:name");
  const shape = `/${segments.map((s) => (s.startsWith(":") ? ":" : s)).join("/")}`;
  return { pathKind: "param", path, pathShape: shape };
}

/** A compiled path matcher for one param route. */
export interface ParamPattern {
  /** Literal segment text, or null where a parameter sits. */
  segments: (string | null)[];
  names: string[];
}

export function compileParamPath(path: string): ParamPattern {
  const segs = path.split("/").slice(1);
  return {
    segments: segs.map((s) => (s.startsWith(":") ? null : s)),
    names: segs.filter((s) => s.startsWith(":")).map((s) => s.slice(1)),
  };
}

/** Negative when `a` should be tried before `b` (same segment count): literal beats parameter, leftmost first. */
export function compareParamPatterns(a: ParamPattern, b: ParamPattern): number {
  for (let i = 0; i < a.segments.length; i++) {
    const la = a.segments[i] !== null;
    const lb = b.segments[i] !== null;
    if (la !== lb) return la ? -1 : 1;
  }
  return 0;
}

/** Match `segments` (request path split on '/', leading '' dropped) against a param pattern; null when it does not match. */
export function matchParams(p: ParamPattern, segments: string[]): Record<string, string> | null {
  if (segments.length !== p.segments.length) return null;
  let params: Record<string, string> | null = null;
  let n = 0;
  for (let i = 0; i < segments.length; i++) {
    const lit = p.segments[i];
    const seg = segments[i]!;
    if (lit === null) {
      if (seg === "") return null;
      params ??= {};
      params[p.names[n++]!] = safeDecode(seg);
    } else if (lit !== seg) return null;
  }
  return params ?? {};
}

export function safeDecode(s: string): string {
  if (!s.includes("%")) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Does a wildcard claim `*.suffix` cover `host`? Only strict subdomains: `*.a.com` does not cover `a.com`. */
export function wildcardCovers(pattern: string, host: string): boolean {
  const suffix = pattern.slice(1); // ".a.com"
  return host.length > suffix.length && host.endsWith(suffix);
}

/** Lower-case host without port or trailing dot, from a Host header value. */
export function hostOf(header: string | null): string {
  if (!header) return "";
  let h = header;
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    h = end > 0 ? h.slice(0, end + 1) : h;
  } else {
    const colon = h.indexOf(":");
    if (colon >= 0) h = h.slice(0, colon);
  }
  h = h.toLowerCase();
  return h.endsWith(".") ? h.slice(0, -1) : h;
}
