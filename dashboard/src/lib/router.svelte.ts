// History routing under /admin/; the server answers index.html for every
// /admin/* path (SPA fallback), so deep links and reloads work.

export const BASE = "/admin";

function currentPath(): string {
  const p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return p === "" ? "/" : p;
}

export const router = $state({ path: currentPath(), search: location.search });

export function navigate(path: string, opts: { replace?: boolean } = {}) {
  const url = BASE + (path.startsWith("/") ? path : `/${path}`);
  if (opts.replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  const q = url.indexOf("?");
  router.path = q >= 0 ? url.slice(BASE.length, q) : currentPath();
  router.search = location.search;
  window.scrollTo(0, 0);
}

export function startRouter() {
  const onPop = () => {
    router.path = currentPath();
    router.search = location.search;
  };
  window.addEventListener("popstate", onPop);
  return () => window.removeEventListener("popstate", onPop);
}

/** Matches `/apps/:app/:tab?` style patterns; returns params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const pp = pattern.split("/").filter(Boolean);
  const sp = path.split("/").filter(Boolean);
  const params: Record<string, string> = {};
  for (let i = 0; i < pp.length; i++) {
    const seg = pp[i]!;
    const optional = seg.endsWith("?");
    const name = seg.replace(/^:/, "").replace(/\?$/, "");
    const value = sp[i];
    if (value === undefined) {
      if (optional) continue;
      return null;
    }
    if (seg.startsWith(":")) params[name] = decodeURIComponent(value);
    else if (seg !== value) return null;
  }
  if (sp.length > pp.length) return null;
  return params;
}

/** Intercepts clicks on in-app links so `<a href="/admin/...">` navigates without a reload. */
export function link(node: HTMLAnchorElement) {
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const href = node.getAttribute("href");
    if (!href || !href.startsWith(BASE)) return;
    e.preventDefault();
    navigate(href.slice(BASE.length) || "/");
  };
  node.addEventListener("click", onClick);
  return { destroy: () => node.removeEventListener("click", onClick) };
}

export const href = (path: string) => BASE + path;
