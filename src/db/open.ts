import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Db } from "./db.ts";

/** PGlite under the data dir unless DATABASE_URL names a PostgreSQL server. */
export async function openDb(config: Pick<Config, "databaseUrl" | "dataDir" | "pglite">, log: Logger): Promise<Db> {
  if (config.databaseUrl) {
    const { openPostgres } = await import("./postgres.ts");
    return openPostgres({ url: config.databaseUrl }, log);
  }
  const { openPglite } = await import("./pglite.ts");
  return openPglite({ dataDir: config.dataDir, ...config.pglite }, log);
}
