// The one place that wires PiCloud together (STYLE §4). Nothing here is a
// module-scope singleton: two bundles on two drivers can live in one process.
import { createAuth } from "../auth/index.ts";
import type { Config } from "../config.ts";
import { migrate } from "../db/migrate.ts";
import { openDb } from "../db/open.ts";
import type { ErrorCode } from "../errors.ts";
import type { Logger } from "../log.ts";
import { compileScript } from "../runtime/compile.ts";
import { createGuardedFetch, warnIfPrivateFetchAllowed } from "../runtime/fetch-guard.ts";
import { createRuntime } from "../runtime/index.ts";
import { createExecutions } from "./executions.ts";
import { createInvoker } from "./invoke.ts";
import { createRoutes } from "./routes.ts";
import { createRouteTable } from "./route-table.ts";
import { createScriptCache } from "./script-cache.ts";
import { seedHelloRoute } from "./seed-routes.ts";
import { createTailConsole } from "./tail-console.ts";
import { createApiKeys } from "./api-keys.ts";
import { createApps } from "./apps.ts";
import { createDomains } from "./domains.ts";
import { createMembers } from "./members.ts";
import { createScripts } from "./scripts.ts";
import { seedFreshInstall } from "./seed.ts";
import { createUsers } from "./users.ts";

export interface ServicesOptions {
  /** The HTTP status a failed invocation answers with, as recorded in execution logs (given by http/). */
  httpStatusOf: (code: ErrorCode) => number;
}

export async function createServices(config: Config, log: Logger, { httpStatusOf }: ServicesOptions) {
  warnIfPrivateFetchAllowed(config.runtime.allowPrivateFetch, log); // DESIGN §7: the dev override is loud
  const db = await openDb(config, log);
  try {
    const schemaVersion = await migrate(db, log);
    const auth = createAuth({ db, config, log });
    await auth.init();
    const apps = createApps({ db, auth });
    const domains = createDomains({ db, apps });
    // Save-time compile; the pool's runtime.compile takes over once createRuntime is wired.
    const compile = (source: string, opts: { filename: string; kind: "endpoint" | "module" }) =>
      compileScript(source, { ...opts, variant: config.runtime.variant });
    const scripts = createScripts({ db, auth, apps, compile, ceilings: config.runtime.ceilings });
    const users = createUsers({ db, auth });
    const members = createMembers({ db, auth, resolveAppId: apps.resolveId });
    const apiKeys = createApiKeys({ db, auth, appExists: async (id) => (await apps.findById(id)) !== null });
    const seeded = await seedFreshInstall({ db, log, apps, domains, scripts });

    // Routes, invocation and execution logs (exec).
    const runtime = createRuntime(config.runtime, {
      log,
      fetch: createGuardedFetch(config.runtime),
      // tailConsole is built below; a tail ends only after an invocation, so never before this bundle exists.
      onTailConsole: (executionId, lines, truncated, appId) => tailConsole.append(appId, executionId, lines, truncated),
    });
    const scriptCache = createScriptCache({ db, runtime });
    const routeTable = createRouteTable({ db, log });
    routeTable.onChange((appId) => {
      scriptCache.invalidate(appId);
      runtime.invalidateModules(appId === "*" ? undefined : appId);
    });
    const routes = createRoutes({ db, auth, routeTable, scripts: scriptCache });
    const executions = createExecutions({
      db, log, config, auth,
      appOfScript: async (id) => (await scriptCache.get(id))?.spec.app.id ?? null,
      locateApp: apps.locate,
    });
    const tailConsole = createTailConsole({ db, log, executions });
    const invoker = createInvoker({ runtime, executions, log, statusOf: httpStatusOf });
    try {
      await routeTable.start();
      await executions.start();
      if (seeded) await seedHelloRoute({ db, routeTable }, seeded.script);
    } catch (e) {
      // Workers are threads: left running they would keep a failed start's process alive.
      await runtime.close().catch(() => {});
      throw e;
    }

    return {
      config, log, db, schemaVersion, auth, apps, domains, scripts, users, members, apiKeys, seeded,
      runtime, scriptCache, routeTable, routes, executions, invoker,
      async close() {
        await tailConsole.close();
        await executions.close();
        await routeTable.close();
        await runtime.close();
        await db.close();
      },
    };
  } catch (e) {
    await db.close().catch(() => {});
    throw e;
  }
}

export type Services = Awaited<ReturnType<typeof createServices>>;
