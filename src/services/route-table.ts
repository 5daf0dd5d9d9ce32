// The in-memory table the data plane reads per request: domain claims → app,
// and each app's routes. Rebuilt as a whole on any change — here, or on any
// node sharing the database through NOTIFY `picloud_route_table` — so a
// request never runs SQL to find its script (DESIGN §2).
import type { Db } from "../db/db.ts";
import { listAllDomains } from "../db/queries/domains.ts";
import { listAllRoutes } from "../db/queries/routes.ts";
import type { Logger } from "../log.ts";
import { createHostMatcher, type HostMatcher } from "./host-match.ts";
import { buildRouteIndex, type RouteIndex, type RouteMatch } from "./route-index.ts";
import { ROUTE_TABLE_CHANNEL } from "./route-table-channel.ts";

export { ROUTE_TABLE_CHANNEL };

export interface RouteTableDeps {
  db: Db;
  log: Logger;
}

export type ChangeListener = (appId: string) => void;

export function createRouteTable({ db, log }: RouteTableDeps) {
  let hosts: HostMatcher = createHostMatcher([]);
  let claimCount = 0;
  let routes: RouteIndex = buildRouteIndex([]);
  let loading: Promise<void> | null = null;
  let again = false;
  let generation = 0;
  const changeListeners = new Set<ChangeListener>();
  let unlisten: (() => Promise<void>) | null = null;
  let originalNotify: Db["notify"] | null = null;

  async function load() {
    // Sequential, not Promise.all: PGlite runs one query at a time anyway.
    const claims = await listAllDomains(db);
    const rows = await listAllRoutes(db);
    hosts = createHostMatcher(claims);
    claimCount = claims.length;
    routes = buildRouteIndex(rows);
    generation++;
  }

  /** Coalescing reload: while one runs, later requests fold into a single follow-up. */
  function reload(): Promise<void> {
    if (loading) {
      again = true;
      return loading;
    }
    const run = async () => {
      do {
        again = false;
        try {
          await load();
        } catch (e) {
          log.error("route table reload failed; keeping the previous table", { cause: e });
        }
      } while (again);
    };
    loading = run().finally(() => {
      loading = null;
    });
    return loading;
  }

  function onChange(payload: string) {
    for (const fn of changeListeners) {
      try {
        fn(payload);
      } catch (e) {
        log.warn("route table change listener failed", { cause: e });
      }
    }
    void reload();
  }

  return {
    async start() {
      unlisten = await db.listen(ROUTE_TABLE_CHANNEL, onChange);
      // Local echo: a change made through this process reloads the table before
      // the admin call that made it returns, whatever the NOTIFY delivery delay,
      // so a client sees its own writes at once. Other nodes catch up on delivery.
      originalNotify = db.notify;
      const notify = originalNotify.bind(db);
      db.notify = async (channel, payload) => {
        await notify(channel, payload);
        if (channel === ROUTE_TABLE_CHANNEL) {
          onChange(payload);
          await loading;
        }
      };
      await reload();
    },

    /** Reload now and tell the other nodes; services call this after committing a change. */
    async changed(appId: string) {
      await db.notify(ROUTE_TABLE_CHANNEL, appId);
    },

    reload,

    /** A reload in flight, if any: the data plane waits for it before answering 404. */
    get pending(): Promise<void> | null {
      return loading;
    },

    get generation() {
      return generation;
    },

    /** Called with the app id (or "*") whenever the table is invalidated; e.g. the script cache. */
    onChange(fn: ChangeListener): () => void {
      changeListeners.add(fn);
      return () => changeListeners.delete(fn);
    },

    resolveApp(host: string): string | null {
      return hosts.match(host)?.app_id ?? null;
    },

    match(appId: string, method: string, host: string, path: string): RouteMatch | null {
      return routes.match(appId, method, host, path);
    },

    stats: () => ({ routes: routes.size, claims: claimCount, generation }),

    async close() {
      if (originalNotify) db.notify = originalNotify;
      if (unlisten) await unlisten().catch(() => {});
      // Let a reload in flight finish before the caller closes the database under it.
      await loading;
    },
  };
}

export type RouteTable = ReturnType<typeof createRouteTable>;
