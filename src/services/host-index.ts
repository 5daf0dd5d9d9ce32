// Request host → app, from the apps' domain claims (DESIGN §5): an exact claim
// beats any wildcard, and a longer wildcard suffix beats a shorter one.
// Pure: the route table loads the claims and rebuilds this on change.
export interface DomainClaim {
  app_id: string;
  /** Lower-case `api.example.com` or `*.example.com`. */
  domain: string;
}

export interface HostIndex {
  resolve(host: string): string | null;
  readonly size: number;
}

export function buildHostIndex(claims: DomainClaim[]): HostIndex {
  const exact = new Map<string, string>();
  const wildcards = new Map<string, string>(); // ".example.com" → app id
  for (const c of claims) {
    const d = c.domain.toLowerCase();
    if (d.startsWith("*.")) wildcards.set(d.slice(1), c.app_id);
    else exact.set(d, c.app_id);
  }
  return {
    size: claims.length,
    resolve(host) {
      const hit = exact.get(host);
      if (hit !== undefined) return hit;
      if (wildcards.size === 0) return null;
      // Walk up the labels: the first suffix found is the longest, i.e. the most specific claim.
      for (let dot = host.indexOf("."); dot > 0; dot = host.indexOf(".", dot + 1)) {
        const app = wildcards.get(host.slice(dot));
        if (app !== undefined) return app;
      }
      return null;
    },
  };
}
