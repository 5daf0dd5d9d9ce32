// Several nodes starting at once on one fresh PostgreSQL database: migrations
// and the fresh-install seed happen once, every node serves.
import { expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { startServer } from "../../src/serve.ts";
import { createDatabase, dropDatabase, eachDriver } from "../support/picloud.ts";

eachDriver((driver) => {
  if (driver !== "postgres") return; // one PGlite data dir has one process by design (pglite.lock)

  test("postgres: three nodes starting together migrate and seed once", async () => {
    const database = await createDatabase(process.env.PICLOUD_TEST_DATABASE_URL!);
    const dir = await mkdtemp(join(tmpdir(), "picloud-nodes-"));
    const env = {
      PORT: "0", PICLOUD_HOST: "127.0.0.1", PICLOUD_DATA_DIR: dir, DATABASE_URL: database.url, PICLOUD_WORKERS: "1",
      PICLOUD_ADMIN_USERNAME: "admin", PICLOUD_ADMIN_PASSWORD: "picloud-test-password-1",
    };
    const nodes = await Promise.all([1, 2, 3].map(() => startServer(loadConfig(env), silentLogger, { announce: false })));
    try {
      for (const n of nodes) expect(await (await fetch(`http://127.0.0.1:${n.port}/healthz`)).text()).toBe("ok");
      const db = nodes[0]!.services.db;
      const [counts] = await db.query<{ apps: number; scripts: number; domains: number; migrations: number }>(
        `SELECT (SELECT count(*)::int FROM apps WHERE slug = 'default') AS apps,
                (SELECT count(*)::int FROM scripts WHERE name = 'hello') AS scripts,
                (SELECT count(*)::int FROM domains WHERE domain = 'localhost') AS domains,
                (SELECT count(*)::int FROM schema_migrations) AS migrations`,
      );
      expect(counts).toMatchObject({ apps: 1, scripts: 1, domains: 1 });
      expect(nodes.filter((n) => n.services.seeded !== null)).toHaveLength(1);
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
      await dropDatabase(database.base, database.name);
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
