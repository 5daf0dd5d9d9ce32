// Request host → app claim, most specific first: an exact claim beats any
// wildcard, and a longer wildcard beats a shorter one (`*.a.example.com`
// before `*.example.com`). A wildcard covers subdomains at any depth, never
// the bare name itself. Pure, so the data plane's in-memory table calls it
// per request without touching the database.

export interface HostClaim {
  domain: string;
  app_id: string;
}

export interface HostMatcher {
  /** The winning claim for a Host header value (port and trailing dot ignored, any case), or null. */
  match(host: string): HostClaim | null;
}

/** `Example.COM:8080` → `example.com`; `[::1]:80` → `[::1]`. */
export function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    return end === -1 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(":");
  if (colon !== -1) h = h.slice(0, colon);
  return h.endsWith(".") ? h.slice(0, -1) : h;
}

export function createHostMatcher(claims: Iterable<HostClaim>): HostMatcher {
  const exact = new Map<string, HostClaim>();
  // Keyed by the suffix after `*.`: `*.example.com` → `example.com`.
  const wildcard = new Map<string, HostClaim>();
  for (const c of claims) {
    if (c.domain.startsWith("*.")) wildcard.set(c.domain.slice(2), c);
    else exact.set(c.domain, c);
  }
  return {
    match(rawHost) {
      const host = normalizeHost(rawHost);
      const hit = exact.get(host);
      if (hit) return hit;
      if (wildcard.size === 0) return null;
      // Walk suffixes from the longest: for a.b.example.com try b.example.com, example.com, com.
      let dot = host.indexOf(".");
      while (dot !== -1) {
        const claim = wildcard.get(host.slice(dot + 1));
        if (claim) return claim;
        dot = host.indexOf(".", dot + 1);
      }
      return null;
    },
  };
}

/** One-shot form of the matcher: which app a host belongs to, or null. */
export function resolveHostToApp(host: string, claims: Iterable<HostClaim>): string | null {
  return createHostMatcher(claims).match(host)?.app_id ?? null;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why `domain` is not an acceptable claim, or null. Expects it already lowercased. */
export function domainProblem(domain: string): string | null {
  if (domain.length < 1 || domain.length > 253) return "must be 1–253 characters";
  const wild = domain.startsWith("*.");
  const rest = wild ? domain.slice(2) : domain;
  if (rest.includes("*")) return "a wildcard is only allowed as the first label, as in *.example.com";
  const labels = rest.split(".");
  if (labels.some((l) => !LABEL.test(l))) {
    return "each label must be 1–63 letters, digits or dashes, not starting or ending with a dash";
  }
  // `*.com` would take every host under a top-level domain, and with it other
  // apps' future names. Without a public-suffix list we refuse every single-label
  // suffix; `*.localhost` stays allowed for development. (Two-label public
  // suffixes such as `*.co.uk` are not recognised: the operator's judgement.)
  if (wild && labels.length === 1 && rest !== "localhost") {
    return `a wildcard needs at least two labels after "*." (as in *.example.com); *.${rest} would cover a whole top-level domain`;
  }
  return null;
}
