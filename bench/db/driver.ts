// Which PostgreSQL client for DATABASE_URL: `postgres` (porsager) or Bun.SQL?
// Measures the query shapes PiCloud's db layer issues (parameterised point
// selects, inserts, short transactions, a burst of concurrent selects) on a
// fresh database. Usage:
//   PICLOUD_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres bun bench/db/driver.ts
import { SQL } from "bun";
import postgres from "postgres";

const base = process.env.PICLOUD_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const dbName = `picloud_bench_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;

interface Client {
  unsafe(sql: string, params?: unknown[]): Promise<unknown[]>;
  begin<T>(fn: (tx: { unsafe(sql: string, params?: unknown[]): Promise<unknown[]> }) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

function porsager(url: string): Client {
  const sql = postgres(url, { max: 10, onnotice: () => {} });
  return {
    unsafe: (q, p) => sql.unsafe(q, p as never[]) as unknown as Promise<unknown[]>,
    begin: (fn) => sql.begin((tx) => fn({ unsafe: (q, p) => tx.unsafe(q, p as never[]) as unknown as Promise<unknown[]> })) as never,
    close: () => sql.end(),
  };
}

function bunSql(url: string): Client {
  const sql = new SQL(url, { max: 10 });
  return {
    unsafe: (q, p) => sql.unsafe(q, p as unknown[]),
    begin: (fn) => sql.begin((tx) => fn({ unsafe: (q, p) => tx.unsafe(q, p as unknown[]) })) as never,
    close: () => sql.close(),
  };
}

async function time(label: string, n: number, fn: (i: number) => Promise<unknown>) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  const ms = performance.now() - t0;
  return { label, n, ms: Math.round(ms), perOpUs: Math.round((ms * 1000) / n) };
}

async function run(name: string, make: (url: string) => Client, url: string) {
  const c = make(url);
  await c.unsafe("DROP TABLE IF EXISTS bench_items");
  await c.unsafe("CREATE TABLE bench_items (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), app_id uuid NOT NULL, name text NOT NULL, meta jsonb NOT NULL DEFAULT '{}', created_at timestamptz NOT NULL DEFAULT now())");
  const app = crypto.randomUUID();
  const ids: string[] = [];
  const rows = [];
  // Warm-up: connection setup and statement caches.
  for (let i = 0; i < 100; i++) await c.unsafe("SELECT 1");
  rows.push(await time("insert returning", 1000, async (i) => {
    const r = (await c.unsafe("INSERT INTO bench_items (app_id, name, meta) VALUES ($1, $2, $3::jsonb) RETURNING id", [app, `n${i}`, JSON.stringify({ i })])) as { id: string }[];
    ids.push(r[0]!.id);
  }));
  rows.push(await time("point select", 3000, (i) => c.unsafe("SELECT id, app_id, name, meta, created_at FROM bench_items WHERE app_id = $1 AND id = $2", [app, ids[i % ids.length]])));
  rows.push(await time("tx (select+update)", 500, (i) => c.begin(async (tx) => {
    await tx.unsafe("SELECT id FROM bench_items WHERE id = $1 FOR UPDATE", [ids[i % ids.length]]);
    await tx.unsafe("UPDATE bench_items SET name = $2 WHERE id = $1", [ids[i % ids.length], `u${i}`]);
  })));
  const t0 = performance.now();
  const burst = 4000;
  await Promise.all(Array.from({ length: burst }, (_, i) => c.unsafe("SELECT id, name FROM bench_items WHERE id = $1", [ids[i % ids.length]])));
  const ms = performance.now() - t0;
  rows.push({ label: "concurrent select x4000", n: burst, ms: Math.round(ms), perOpUs: Math.round((ms * 1000) / burst) });
  await c.unsafe("DROP TABLE bench_items");
  await c.close();
  console.log(`\n${name}`);
  console.table(rows);
  return rows;
}

const admin = postgres(base, { max: 1, onnotice: () => {} });
await admin.unsafe(`CREATE DATABASE ${dbName}`);
const url = new URL(base);
url.pathname = `/${dbName}`;
try {
  // Two rounds in alternating order so neither client always runs on a cold server.
  for (const round of [1, 2]) {
    console.log(`\n=== round ${round}`);
    if (round === 1) { await run("postgres (porsager)", porsager, url.href); await run("Bun.SQL", bunSql, url.href); }
    else { await run("Bun.SQL", bunSql, url.href); await run("postgres (porsager)", porsager, url.href); }
  }
} finally {
  await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
}
