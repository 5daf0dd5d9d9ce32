import type { HostKind, PathKind } from "./api";

/** What the typed path looks like: `/greet/:name` is a param route, `/static/*` a prefix. */
export function detectPathKind(path: string): PathKind {
  const p = path.trim();
  if (p.split("/").some((seg) => seg.startsWith(":") && seg.length > 1)) return "param";
  if (p.endsWith("/*") || p === "*") return "prefix";
  return "exact";
}

/** Empty host matches any host; `*.example.com` is a wildcard; anything else is strict. */
export function detectHostKind(host: string): HostKind {
  const h = host.trim();
  if (!h) return "any";
  if (h.startsWith("*.")) return "wildcard";
  return "strict";
}

export function pathKindMismatch(kind: PathKind, path: string): string | null {
  const detected = detectPathKind(path);
  if (!path.trim() || detected === kind) return null;
  const why = {
    param: "it contains a `:name` segment",
    prefix: "it ends with `/*`",
    exact: "it has no `:name` segment and no trailing `/*`",
  }[detected];
  return `This path looks like a ${detected} route (${why}), but ${kind} is chosen.`;
}

export function hostKindMismatch(kind: HostKind, host: string): string | null {
  const detected = detectHostKind(host);
  if (detected === kind) return null;
  if (kind === "any") return "Host kind is “any”: the host you typed will be ignored.";
  if (detected === "any") return `Host kind is “${kind}” but no host is given.`;
  return detected === "wildcard"
    ? "This host starts with `*.`, which is a wildcard host."
    : "A wildcard host must start with `*.`.";
}

export function describeRoute(r: { method: string; host_kind: HostKind; host: string | null; path: string }): string {
  const host = r.host_kind === "any" || !r.host ? "any host" : r.host;
  return `${r.method} ${r.path} on ${host}`;
}
