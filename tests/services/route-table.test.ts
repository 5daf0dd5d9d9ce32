// The route table against a real database on both drivers: it loads claims
// and routes, reloads on its own changes at once (local echo), and a second
// node sharing a PostgreSQL database follows through NOTIFY.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Db } from "../../src/db/db.ts";
import { migrate } from "../../src/db/migrate.ts";
import { openPglite } from "../../src/db/pglite.ts";
import { openPostgres } from "../../src/db/postgres.ts";
import { insertRoute } from "../../src/db/queries/routes.ts";
import { silentLogger as log } from "../../src/log.ts";
import { normalizeRoute } from "../../src/services/route-patterns.ts";
import { createRouteTable, type RouteTable } from "../../src/services/route-table.ts";

const PG_URL = process.env.PICLOUD_TEST_DATABASE_URL;

async function waitFor<T>(fn: () => T | null | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = fn();
    if (v) return v;
    await Bun.sleep(25);
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function seed(db: Db) {
  const [app] = await db.query<{ id: string }>("INSERT INTO apps (slug, name) VALUES ('t', 'T') RETURNING id");
  await db.query("INSERT INTO domains (app_id, domain) VALUES ($1, 'localhost'), ($1, '*.example.test')", [app!.id]);
  const [script] = await db.query<{ id: string }>(
    "INSERT INTO scripts (app_id, name, source, compiled) VALUES ($1, 'h', 'x', 'x') RETURNING id",
    [app!.id],
  );
  return { appId: app!.id, scriptId: script!.id };
}

describe("route table on PGlite", () => {
  let dir: string;
  let db: Db;
  let table: RouteTable;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "picloud-rt-"));
    db = await openPglite({ dataDir: dir, sharedBuffers: "16MB", workMem: "2MB" }, log);
    await migrate(db, log);
    table = createRouteTable({ db, log });
    await table.start();
  });
  afterAll(async () => {
    await table.close();
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("pglite: claims and routes load; a change is visible when changed() returns", async () => {
    const { appId, scriptId } = await seed(db);
    await table.changed(appId);
    expect(table.resolveApp("localhost")).toBe(appId);
    expect(table.resolveApp("a.example.test")).toBe(appId);
    expect(table.resolveApp("example.test")).toBeNull();
    expect(table.match(appId, "GET", "localhost", "/greet/ann")).toBeNull();

    const seen: string[] = [];
    table.onChange((p) => seen.push(p));
    await insertRoute(db, appId, scriptId, normalizeRoute({ path: "/greet/:name" }));
    await table.changed(appId);
    expect(table.match(appId, "GET", "localhost", "/greet/ann")).toMatchObject({ params: { name: "ann" } });
    expect(seen).toContain(appId);
  });
});

describe.skipIf(!PG_URL)("route table on PostgreSQL: two nodes", () => {
  const name = `picloud_t_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  let admin: Db;
  let a: Db;
  let b: Db;
  let ta: RouteTable;
  let tb: RouteTable;
  beforeAll(async () => {
    admin = await openPostgres({ url: PG_URL!, max: 1 }, log);
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(PG_URL!);
    url.pathname = `/${name}`;
    a = await openPostgres({ url: url.href, max: 2 }, log);
    b = await openPostgres({ url: url.href, max: 2 }, log);
    await migrate(a, log);
    ta = createRouteTable({ db: a, log });
    tb = createRouteTable({ db: b, log });
    await ta.start();
    await tb.start();
  });
  afterAll(async () => {
    await ta.close();
    await tb.close();
    await a.close();
    await b.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.close();
  });

  test("postgres: node B sees node A's route change through NOTIFY", async () => {
    const { appId, scriptId } = await seed(a);
    await insertRoute(a, appId, scriptId, normalizeRoute({ method: "GET", path: "/static/*" }));
    await ta.changed(appId);
    // Node A reloaded before changed() returned; B follows when the notification lands.
    expect(ta.match(appId, "GET", "localhost", "/static/x/y")).toMatchObject({ rest: "x/y" });
    const m = await waitFor(() => (tb.resolveApp("localhost") ? tb.match(appId, "GET", "localhost", "/static/x/y") : null), "node B");
    expect(m.route.script_id).toBe(scriptId);

    await a.query("DELETE FROM routes WHERE app_id = $1", [appId]);
    await ta.changed(appId);
    await waitFor(() => tb.match(appId, "GET", "localhost", "/static/x/y") === null, "node B to drop the route");
  });
});
