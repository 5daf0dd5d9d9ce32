// The one place that wires PiCloud together (STYLE §4). Nothing here is a
// module-scope singleton: two bundles on two drivers can live in one process.
import { createAuth } from "../auth/index.ts";
import type { Config } from "../config.ts";
import { migrate } from "../db/migrate.ts";
import { openDb } from "../db/open.ts";
import type { Logger } from "../log.ts";
import { compileScript } from "../runtime/compile.ts";
import { createApiKeys } from "./api-keys.ts";
import { createApps } from "./apps.ts";
import { createDomains } from "./domains.ts";
import { createMembers } from "./members.ts";
import { createScripts } from "./scripts.ts";
import { seedFreshInstall } from "./seed.ts";
import { createUsers } from "./users.ts";

export async function createServices(config: Config, log: Logger) {
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
    return {
      config, log, db, schemaVersion, auth, apps, domains, scripts, users, members, apiKeys, seeded,
      async close() {
        await db.close();
      },
    };
  } catch (e) {
    await db.close().catch(() => {});
    throw e;
  }
}

export type Services = Awaited<ReturnType<typeof createServices>>;
