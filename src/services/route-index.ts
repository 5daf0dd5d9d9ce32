// The in-memory shape the data plane matches against: built once per change,
// read lock-free per request. Pure: no I/O (the route table loads the rows).
import type { RouteRow } from "../db/queries/routes.ts";
import { compareParamPatterns, compileParamPath, matchParams, wildcardCovers, type ParamPattern } from "./route-patterns.ts";

export interface RouteMatch {
  route: RouteRow;
  params: Record<string, string>;
  /** What the `/*` of a prefix route covered (decoded), else null. */
  rest: string | null;
}

type MethodMap = Map<string, RouteRow>;

interface PathTable {
  exact: Map<string, MethodMap>;
  /** By segment count, most specific first. */
  params: Map<number, { pattern: ParamPattern; methods: MethodMap }[]>;
  /** Longest base first; base is the path without its trailing `/*`. */
  prefixes: { base: string; methods: MethodMap }[];
}

interface AppRoutes {
  strict: Map<string, PathTable>;
  /** Longest (most specific) suffix first. */
  wildcards: { pattern: string; table: PathTable }[];
  any: PathTable | null;
}

export interface RouteIndex {
  /** Routes of one app that answer `method host path`, best first; null when none. */
  match(appId: string, method: string, host: string, path: string): RouteMatch | null;
  /** Route count, for stats and tests. */
  readonly size: number;
}

const emptyTable = (): PathTable => ({ exact: new Map(), params: new Map(), prefixes: [] });

function pickMethod(methods: MethodMap, method: string): RouteRow | undefined {
  // HEAD falls back to GET as every HTTP server does; the body is dropped on the way out.
  return methods.get(method) ?? (method === "HEAD" ? methods.get("GET") : undefined) ?? methods.get("ANY");
}

function addTo(table: PathTable, row: RouteRow) {
  let methods: MethodMap | undefined;
  if (row.path_kind === "exact") {
    methods = table.exact.get(row.path);
    if (!methods) table.exact.set(row.path, (methods = new Map()));
  } else if (row.path_kind === "prefix") {
    const base = row.path.slice(0, -2);
    methods = table.prefixes.find((p) => p.base === base)?.methods;
    if (!methods) table.prefixes.push({ base, methods: (methods = new Map()) });
  } else {
    const pattern = compileParamPath(row.path);
    const n = pattern.segments.length;
    let list = table.params.get(n);
    if (!list) table.params.set(n, (list = []));
    const shape = pattern.segments.map((s) => s ?? ":").join("/");
    methods = list.find((e) => e.pattern.segments.map((s) => s ?? ":").join("/") === shape)?.methods;
    if (!methods) list.push({ pattern, methods: (methods = new Map()) });
  }
  // The unique index makes duplicates impossible; the first one wins if a stale read ever saw two.
  if (!methods.has(row.method)) methods.set(row.method, row);
}

function finish(table: PathTable) {
  table.prefixes.sort((a, b) => b.base.length - a.base.length);
  for (const list of table.params.values()) list.sort((a, b) => compareParamPatterns(a.pattern, b.pattern));
}

function matchTable(table: PathTable, method: string, path: string): RouteMatch | null {
  const exact = table.exact.get(path);
  if (exact) {
    const route = pickMethod(exact, method);
    if (route) return { route, params: {}, rest: null };
  }
  if (table.params.size > 0) {
    const segments = path.split("/").slice(1);
    const list = table.params.get(segments.length);
    if (list) {
      for (const entry of list) {
        const params = matchParams(entry.pattern, segments);
        if (!params) continue;
        const route = pickMethod(entry.methods, method);
        if (route) return { route, params, rest: null };
      }
    }
  }
  for (const p of table.prefixes) {
    let rest: string;
    if (path === p.base) rest = "";
    else if (path.startsWith(p.base) && path.charCodeAt(p.base.length) === 47 /* / */) rest = path.slice(p.base.length + 1);
    else continue;
    const route = pickMethod(p.methods, method);
    if (route) return { route, params: {}, rest: decodeRest(rest) };
  }
  return null;
}

function decodeRest(rest: string): string {
  if (!rest.includes("%")) return rest;
  try {
    return decodeURIComponent(rest);
  } catch {
    return rest;
  }
}

export function buildRouteIndex(rows: RouteRow[]): RouteIndex {
  const apps = new Map<string, AppRoutes>();
  const tables: PathTable[] = [];
  for (const row of rows) {
    let app = apps.get(row.app_id);
    if (!app) apps.set(row.app_id, (app = { strict: new Map(), wildcards: [], any: null }));
    let table: PathTable;
    if (row.host_kind === "any") table = app.any ??= emptyTable();
    else if (row.host_kind === "strict") {
      const found = app.strict.get(row.host);
      table = found ?? emptyTable();
      if (!found) app.strict.set(row.host, table);
    } else {
      const found = app.wildcards.find((w) => w.pattern === row.host);
      table = found?.table ?? emptyTable();
      if (!found) app.wildcards.push({ pattern: row.host, table });
    }
    if (!tables.includes(table)) tables.push(table);
    addTo(table, row);
  }
  for (const t of tables) finish(t);
  for (const app of apps.values()) app.wildcards.sort((a, b) => b.pattern.length - a.pattern.length);

  return {
    size: rows.length,
    match(appId, method, host, path) {
      const app = apps.get(appId);
      if (!app) return null;
      const strict = app.strict.get(host);
      if (strict) {
        const m = matchTable(strict, method, path);
        if (m) return m;
      }
      for (const w of app.wildcards) {
        if (!wildcardCovers(w.pattern, host)) continue;
        const m = matchTable(w.table, method, path);
        if (m) return m;
      }
      return app.any ? matchTable(app.any, method, path) : null;
    },
  };
}
