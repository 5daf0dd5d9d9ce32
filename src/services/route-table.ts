// The in-memory table the data plane reads per request: domain claims → app,
// and each app's routes. Rebuilt as a whole on any change — here, or on any
// node sharing the database through NOTIFY `picloud_route_table` — so a
// request never runs SQL to find its script (DESIGN §2).
import type { Db } from "../db/db.ts";
import { listAllRoutes } from "../db/queries/routes.ts";
import type { Logger } from "../log.ts";
import { buildHostIndex, type DomainClaim, type HostIndex } from "./host-index.ts";
import { buildRouteIndex, type RouteIndex, type RouteMatch } from "./route-index.ts";

/** Shared constant (team brief): payload is an app id or "*". */
export const ROUTE_TABLE_CHANNEL = "picloud_route_table";

export interface RouteTableDeps {
  db: Db;
  log: Logger;
  /** Every domain claim of every app (core's domains queries). */
  loadClaims(): Promise<DomainClaim[]>;
}

export type ChangeListener = (appId: string) => void;

export function createRouteTable({ db, log, loadClaims }: RouteTableDeps) {
  let hosts: HostIndex = buildHostIndex([]);
  let routes: RouteIndex = buildRouteIndex([]);
  let loading: Promise<void> | null = null;
  let again = false;
  let generation = 0;
  const changeListeners = new Set<ChangeListener>();
  let unlisten: (() => Promise<void>) | null = null;
  let originalNotify: Db["notify"] | null = null;

  async function load() {
    const [claims, rows] = await Promise.all([loadClaims(), listAllRoutes(db)]);
    hosts = buildHostIndex(claims);
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
      return hosts.resolve(host);
    },

    match(appId: string, method: string, host: string, path: string): RouteMatch | null {
      return routes.match(appId, method, host, path);
    },

    stats: () => ({ routes: routes.size, claims: hosts.size, generation }),

    async close() {
      if (originalNotify) db.notify = originalNotify;
      if (unlisten) await unlisten().catch(() => {});
    },
  };
}

export type RouteTable = ReturnType<typeof createRouteTable>;
