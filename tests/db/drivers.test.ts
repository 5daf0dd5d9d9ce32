// The two drivers must hand back identical values for the same SQL (STYLE §5).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Db } from "../../src/db/db.ts";
import { DbError, isUniqueViolation } from "../../src/db/db.ts";
import { openDb } from "../../src/db/open.ts";
import { silentLogger } from "../../src/log.ts";
import { createDatabase, dropDatabase, eachDriver, HOOK_TIMEOUT_MS, preparePgliteDataDir } from "../support/picloud.ts";

const BASE = process.env.PICLOUD_TEST_DATABASE_URL;

eachDriver((driver) => {
  let db: Db;
  let dir = "";
  let database: { base: string; name: string; url: string } | null = null;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "picloud-db-"));
    if (driver === "postgres") database = await createDatabase(BASE!);
    else await preparePgliteDataDir(dir);
    db = await openDb({ dataDir: dir, databaseUrl: database?.url, pglite: { sharedBuffers: "16MB", workMem: "2MB" } }, silentLogger);
  }, HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await db?.close();
    if (database) await dropDatabase(database.base, database.name);
    await rm(dir, { recursive: true, force: true });
  }, HOOK_TIMEOUT_MS);

  test(`${driver}: values are normalised the same way`, async () => {
    const [row] = await db.query<Record<string, unknown>>(
      `SELECT '2026-01-02T03:04:05.678Z'::timestamptz AS ts, 42::bigint AS small, 9007199254740993::bigint AS huge,
              7::int AS i, 1.5::numeric AS n, 2.5::float8 AS f, true AS b, NULL::text AS nothing,
              $1::text::jsonb AS j, '[1,"a"]'::jsonb AS arr, 'x'::text AS t,
              '00000000-0000-4000-8000-000000000001'::uuid AS u, count(*) AS c`,
      [JSON.stringify({ a: { b: [1, 2] }, s: "x" })],
    );
    expect(row).toEqual({
      ts: "2026-01-02T03:04:05.678Z", small: 42, huge: "9007199254740993", i: 7, n: "1.5", f: 2.5, b: true,
      nothing: null, j: { a: { b: [1, 2] }, s: "x" }, arr: [1, "a"], t: "x",
      u: "00000000-0000-4000-8000-000000000001", c: 1,
    });
  });

  test(`${driver}: errors carry the SQLSTATE and constraint`, async () => {
    await db.exec("CREATE TABLE t_unique (k text CONSTRAINT t_unique_k UNIQUE); INSERT INTO t_unique VALUES ('a');");
    const err = await db.query("INSERT INTO t_unique VALUES ($1)", ["a"]).catch((e) => e);
    expect(err).toBeInstanceOf(DbError);
    expect(isUniqueViolation(err, "t_unique_k")).toBe(true);
  });

  test(`${driver}: a throwing transaction rolls back`, async () => {
    await db.exec("CREATE TABLE t_tx (k int)");
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO t_tx VALUES ($1)", [1]);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await db.query("SELECT * FROM t_tx")).toEqual([]);
    const n = await db.transaction(async (tx) => {
      await tx.query("INSERT INTO t_tx VALUES ($1)", [2]);
      return (await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM t_tx"))[0]!.n;
    });
    expect(n).toBe(1);
  });

  test(`${driver}: listen/notify delivers payloads until unlisten`, async () => {
    const got: string[] = [];
    const stop = await db.listen("picloud_test_channel", (p) => got.push(p));
    await db.notify("picloud_test_channel", "one");
    for (let i = 0; i < 50 && got.length < 1; i++) await Bun.sleep(20);
    expect(got).toEqual(["one"]);
    await stop();
    await db.notify("picloud_test_channel", "two");
    await Bun.sleep(100);
    expect(got).toEqual(["one"]);
  });
});
