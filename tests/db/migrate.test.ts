import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Db } from "../../src/db/db.ts";
import { MIGRATIONS, SCHEMA_VERSION, migrate } from "../../src/db/migrate.ts";
import { openDb } from "../../src/db/open.ts";
import { silentLogger } from "../../src/log.ts";
import { createDatabase, dropDatabase, eachDriver, HOOK_TIMEOUT_MS, preparePgliteDataDir } from "../support/picloud.ts";

const BASE = process.env.PICLOUD_TEST_DATABASE_URL;
const pglite = { sharedBuffers: "16MB", workMem: "2MB" };

eachDriver((driver) => {
  let dir = "";
  let database: { base: string; name: string; url: string } | null = null;
  const open = () => openDb({ dataDir: dir, databaseUrl: database?.url, pglite }, silentLogger);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "picloud-migrate-"));
    if (driver === "postgres") database = await createDatabase(BASE!);
    else await preparePgliteDataDir(dir);
  }, HOOK_TIMEOUT_MS);
  afterAll(async () => {
    if (database) await dropDatabase(database.base, database.name);
    await rm(dir, { recursive: true, force: true });
  }, HOOK_TIMEOUT_MS);

  test(`${driver}: migrations apply once, are recorded, and a second run is a no-op`, async () => {
    const db = await open();
    try {
      expect(await migrate(db, silentLogger)).toBe(SCHEMA_VERSION);
      expect(await migrate(db, silentLogger)).toBe(SCHEMA_VERSION);
      const rows = await db.query<{ version: number; name: string; applied_at: string }>(
        "SELECT version, name, applied_at FROM schema_migrations ORDER BY version",
      );
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version).sort((a, b) => a - b));
      expect(rows[0]!.name).toBe("0001_core");
      const tables = await db.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
      );
      for (const t of ["apps", "app_slug_history", "domains", "scripts", "script_versions", "schema_migrations"]) {
        expect(tables.map((r) => r.table_name)).toContain(t);
      }
    } finally {
      await db.close();
    }
  });

  test(`${driver}: a database newer than this build is refused`, async () => {
    const db = await open();
    try {
      await db.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [SCHEMA_VERSION + 100, "future"]);
      await expect(migrate(db, silentLogger)).rejects.toThrow(/newer than this build/);
      await db.query("DELETE FROM schema_migrations WHERE version = $1", [SCHEMA_VERSION + 100]);
    } finally {
      await db.close();
    }
  });

  if (driver === "postgres") {
    test("postgres: several nodes starting at once on a fresh database apply each migration once", async () => {
      const fresh = await createDatabase(BASE!);
      const dbs: Db[] = [];
      try {
        for (let i = 0; i < 4; i++) dbs.push(await openDb({ dataDir: dir, databaseUrl: fresh.url, pglite }, silentLogger));
        const versions = await Promise.all(dbs.map((db) => migrate(db, silentLogger)));
        expect(versions).toEqual([SCHEMA_VERSION, SCHEMA_VERSION, SCHEMA_VERSION, SCHEMA_VERSION]);
        const rows = await dbs[0]!.query<{ n: number }>("SELECT count(*)::int AS n FROM schema_migrations");
        expect(rows[0]!.n).toBe(MIGRATIONS.length);
      } finally {
        await Promise.all(dbs.map((db) => db.close()));
        await dropDatabase(fresh.base, fresh.name);
      }
    });
  }
});
