// Two PiCloud server processes on one PostgreSQL database: a route change
// made through either node reaches the other's in-memory route table through
// NOTIFY picloud_route_table, and an execution logged on one is readable on
// the other. PostgreSQL only: PGlite is one process by construction.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPicloud } from "../support/picloud.ts";
import { ECHO_CTX, addRoute, createScript, waitFor } from "./exec-helpers.ts";

const PG = process.env.PICLOUD_TEST_DATABASE_URL;
if (!PG) process.stderr.write("two-nodes: PICLOUD_TEST_DATABASE_URL is unset — the two-node test did NOT run\n");

describe.skipIf(!PG)("postgres: two server processes", () => {
  const a = startPicloud({ driver: "postgres" });
  // Inner describe: its afterAll stops node B before the outer one drops the database.
  describe("node B", () => twoNodes(a));
});

function twoNodes(a: ReturnType<typeof startPicloud>) {
  let b: ReturnType<typeof Bun.spawn> | null = null;
  let bUrl = "";
  let dir = "";

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "picloud-node-b-"));
    const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = probe.port;
    probe.stop(true);
    bUrl = `http://127.0.0.1:${port}`;
    b = Bun.spawn(["bun", join(import.meta.dir, "..", "..", "src", "main.ts"), "serve"], {
      env: {
        ...process.env,
        DATABASE_URL: a.services.config.databaseUrl!,
        PORT: String(port),
        PICLOUD_HOST: "127.0.0.1",
        PICLOUD_DATA_DIR: dir,
        PICLOUD_WORKERS: "1",
        PICLOUD_LOG_LEVEL: "error",
      },
      stdout: "ignore",
      stderr: "inherit",
    });
    await waitFor(async () => (await fetch(`${bUrl}/healthz`).catch(() => null))?.status === 200, "node B to start", 600);
  });

  afterAll(async () => {
    b?.kill();
    await b?.exited;
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const onB = (path: string) => fetch(`${bUrl}${path}`, { headers: { host: "localhost" } });

  test("postgres: node B answers a route created on node A, and drops it when node A deletes it", async () => {
    const s = await createScript(a, "two-nodes", ECHO_CTX);
    // B has never loaded this script: its cache fills from the shared database on first use.
    expect((await onB("/twin/x")).status).toBe(404);
    const route = await addRoute(a, s.id, { method: "GET", path: "/twin/:name" });
    expect(route.status).toBe(201);
    const res = await waitFor(async () => {
      const r = await onB("/twin/ann");
      return r.status === 200 ? r.json() : null;
    }, "node B to see the new route");
    expect(res).toMatchObject({ script: "two-nodes", params: { name: "ann" } });

    // Change the script on A: B must drop its cached version and run the new one.
    const patched = await a.api("PATCH", `/api/v1/admin/scripts/${s.id}`, {
      source: `export default { fetch() { return new Response("v2"); } };`,
    });
    expect(patched.status).toBe(200);
    await waitFor(async () => (await (await onB("/twin/ann")).text()) === "v2", "node B to run version 2");

    expect((await a.api("DELETE", `/api/v1/admin/routes/${route.body.id}`)).status).toBe(204);
    await waitFor(async () => (await onB("/twin/ann")).status === 404, "node B to drop the route");
  });

  test("postgres: a route created through node B's admin API reaches node A", async () => {
    const login = await fetch(`${bUrl}/api/v1/admin/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(a.admin),
    });
    const { token } = (await login.json()) as { token: string };
    const s = await createScript(a, "two-nodes-b", ECHO_CTX);
    const created = await fetch(`${bUrl}/api/v1/admin/scripts/${s.id}/routes`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ path: "/from-b" }),
    });
    expect(created.status).toBe(201);
    const res = await waitFor(async () => {
      const r = await fetch(`${a.url}/from-b`, { headers: { host: "localhost" } });
      return r.status === 200 ? r.json() : null;
    }, "node A to see node B's route");
    expect(res).toMatchObject({ script: "two-nodes-b" });
  });

  test("postgres: a live tail on node B receives an execution that ran on node A", async () => {
    const login = await fetch(`${bUrl}/api/v1/admin/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(a.admin),
    });
    const { token } = (await login.json()) as { token: string };
    const s = await createScript(a, "two-nodes-tail", ECHO_CTX);
    const abort = new AbortController();
    const res = await fetch(`${bUrl}/api/v1/admin/scripts/${s.id}/logs/stream`, {
      headers: { authorization: `Bearer ${token}` },
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    const until = async (needle: string) => {
      while (!seen.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        seen += value;
      }
    };
    await until("event: ready");
    const ran = await fetch(`${a.url}/api/v1/execute/${s.id}`);
    const executionId = ran.headers.get("x-picloud-execution-id")!;
    await ran.arrayBuffer();
    await until(executionId);
    expect(seen).toContain("event: execution");
    abort.abort();
  });
}
