import { expect, test } from "bun:test";
import { eachDriver, startPicloud } from "../support/picloud.ts";

const A = "/api/v1/admin";
const v1 = `export default { fetch() { return new Response("one") } }`;
const v2 = `export default { fetch() { return new Response("two") } }`;
const v3 = `Deno.serve(() => new Response("three"));`;

eachDriver((driver) => {
  const pic = startPicloud({ driver, env: { PICLOUD_MAX_TIMEOUT_MS: "20000", PICLOUD_MAX_MEMORY_MB: "96" } });
  let appId = "";

  test(`${driver}: create answers 201 with the script at version 1`, async () => {
    appId = (await pic.api("POST", `${A}/apps`, { slug: "scripts-app" })).body.id;
    const res = await pic.api("POST", `${A}/scripts`, {
      app_id: appId, name: "greet", source: v1, description: "says one", limits: { timeout_ms: 5000 },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      app_id: appId, name: "greet", kind: "endpoint", version: 1, description: "says one",
      source: v1, limits: { timeout_ms: 5000 }, imports: [],
    });
    expect(res.body.handlers.fetch).toBe(true);
    expect(res.body.compiled).toBeUndefined();
    const got = await pic.api("GET", `${A}/scripts/${res.body.id}`);
    expect(got.body).toEqual(res.body);
  });

  test(`${driver}: app_id accepts a slug; lists filter by ?app=`, async () => {
    const res = await pic.api("POST", `${A}/scripts`, { app_id: "scripts-app", name: "lib", kind: "module", source: "export const x = 1;" });
    expect(res.status).toBe(201);
    expect(res.body.kind).toBe("module");
    const list = await pic.api("GET", `${A}/scripts?app=scripts-app`);
    expect(list.body.map((s: { name: string }) => s.name)).toEqual(["greet", "lib"]);
    const all = await pic.api("GET", `${A}/scripts`);
    expect(all.body.length).toBeGreaterThanOrEqual(3); // + the seeded hello
    expect((await pic.api("GET", `${A}/scripts?app=ghost`)).status).toBe(404);
  });

  test(`${driver}: a syntax error is a 422 with line and column`, async () => {
    const res = await pic.api("POST", `${A}/scripts`, {
      app_id: appId, name: "broken", source: "export default {\n  fetch() {\n    return new Response(\"x\"\n  }\n}\n",
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "invalid_request", field: "source" });
    const [first] = res.body.error.errors;
    expect(typeof first.message).toBe("string");
    expect(first.line).toBeGreaterThanOrEqual(3);
    expect(typeof first.column).toBe("number");
    expect((await pic.api("GET", `${A}/scripts?app=${appId}`)).body.some((s: { name: string }) => s.name === "broken")).toBe(false);
  });

  test(`${driver}: an endpoint with no handler, or a remote import, is a 422`, async () => {
    const noHandler = await pic.api("POST", `${A}/scripts`, { app_id: appId, name: "nohandler", source: "const x = 1;" });
    expect(noHandler.status).toBe(422);
    const remote = await pic.api("POST", `${A}/scripts`, {
      app_id: appId, name: "remote", source: `import x from "npm:left-pad";\nexport default { fetch() { return new Response(x) } }`,
    });
    expect(remote.status).toBe(422);
    expect(remote.body.error.field).toBe("source");
  });

  test(`${driver}: limits over the operator ceiling are a 422 naming the limit`, async () => {
    const over = await pic.api("POST", `${A}/scripts`, { app_id: appId, name: "greedy", source: v1, limits: { timeout_ms: 20001 } });
    expect(over.status).toBe(422);
    expect(over.body.error).toMatchObject({ field: "limits.timeout_ms", limit: "timeout_ms", ceiling: 20000 });
    const mem = await pic.api("POST", `${A}/scripts`, { app_id: appId, name: "greedy", source: v1, limits: { memory_mb: 97 } });
    expect(mem.body.error).toMatchObject({ field: "limits.memory_mb", ceiling: 96 });
    const unknown = await pic.api("POST", `${A}/scripts`, { app_id: appId, name: "greedy", source: v1, limits: { gpu: 1 } });
    expect(unknown.body.error.field).toBe("limits.gpu");
    const notInt = await pic.api("POST", `${A}/scripts`, { app_id: appId, name: "greedy", source: v1, limits: { cpu_ms: 1.5 } });
    expect(notInt.body.error.field).toBe("limits.cpu_ms");
    const script = (await pic.api("GET", `${A}/scripts?app=${appId}`)).body.find((s: { name: string }) => s.name === "greet");
    const patch = await pic.api("PATCH", `${A}/scripts/${script.id}`, { limits: { memory_mb: 1000 } });
    expect(patch.status).toBe(422);
    expect(patch.body.error.limit).toBe("memory_mb");
  });

  test(`${driver}: bad fields and duplicate names`, async () => {
    const missing = await pic.api("POST", `${A}/scripts`, { app_id: appId, source: v1 });
    expect(missing.status).toBe(422);
    expect(missing.body.error.field).toBe("name");
    const badName = await pic.api("POST", `${A}/scripts`, { app_id: appId, name: "has space", source: v1 });
    expect(badName.body.error.field).toBe("name");
    const badKind = await pic.api("POST", `${A}/scripts`, { app_id: appId, name: "k", source: v1, kind: "cron" });
    expect(badKind.status).toBe(422);
    expect(badKind.body.error.field).toBe("kind");
    const noApp = await pic.api("POST", `${A}/scripts`, { app_id: "ghost", name: "k", source: v1 });
    expect(noApp.status).toBe(422);
    expect(noApp.body.error.field).toBe("app_id");
    const first = (await pic.api("GET", `${A}/scripts?app=${appId}`)).body.find((s: { name: string }) => s.name === "greet");
    const dup = await pic.api("POST", `${A}/scripts`, { app_id: appId, name: "greet", source: v1 });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: "conflict", script_id: first.id });
    // The same name in another app is fine.
    expect((await pic.api("POST", `${A}/scripts`, { app_id: "default", name: "greet", source: v1 })).status).toBe(201);
    const renameDup = await pic.api("PATCH", `${A}/scripts/${first.id}`, { name: "lib" });
    expect(renameDup.status).toBe(409);
  });

  test(`${driver}: unknown scripts are 404; anonymous is 401`, async () => {
    for (const id of ["00000000-0000-4000-8000-000000000000", "nope"]) {
      expect((await pic.api("GET", `${A}/scripts/${id}`)).status).toBe(404);
      expect((await pic.api("PATCH", `${A}/scripts/${id}`, { source: v1 })).status).toBe(404);
      expect((await pic.api("DELETE", `${A}/scripts/${id}`)).status).toBe(404);
      expect((await pic.api("GET", `${A}/scripts/${id}/versions`)).status).toBe(404);
      expect((await pic.api("POST", `${A}/scripts/${id}/rollback`, { version: 1 })).status).toBe(404);
    }
    expect((await pic.api("GET", `${A}/scripts`, undefined, { token: null })).status).toBe(401);
  });

  test(`${driver}: saves that change the source bump the version; versions list; rollback makes a new version`, async () => {
    const created = (await pic.api("POST", `${A}/scripts`, { app_id: appId, name: "versioned", source: v1 })).body;
    const meta = await pic.api("PATCH", `${A}/scripts/${created.id}`, { description: "no code change" });
    expect(meta.body.version).toBe(1);
    const second = await pic.api("PATCH", `${A}/scripts/${created.id}`, { source: v2 });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ version: 2, source: v2, description: "no code change" });
    const bad = await pic.api("PATCH", `${A}/scripts/${created.id}`, { source: "export default {" });
    expect(bad.status).toBe(422);
    const third = await pic.api("PATCH", `${A}/scripts/${created.id}`, { source: v3 });
    expect(third.body.version).toBe(3);
    expect(third.body.handlers.denoServe).toBe(true);

    const versions = await pic.api("GET", `${A}/scripts/${created.id}/versions`);
    expect(versions.status).toBe(200);
    expect(versions.body.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    expect(versions.body[2].source).toBe(v1);

    const rolled = await pic.api("POST", `${A}/scripts/${created.id}/rollback`, { version: 1 });
    expect(rolled.status).toBe(200);
    expect(rolled.body).toMatchObject({ version: 4, source: v1 });
    expect((await pic.api("GET", `${A}/scripts/${created.id}`)).body.source).toBe(v1);
    const after = await pic.api("GET", `${A}/scripts/${created.id}/versions`);
    expect(after.body.map((v: { version: number }) => v.version)).toEqual([4, 3, 2, 1]);

    expect((await pic.api("POST", `${A}/scripts/${created.id}/rollback`, { version: 99 })).body.error.field).toBe("version");
    expect((await pic.api("POST", `${A}/scripts/${created.id}/rollback`, { version: "1" })).status).toBe(422);
  });

  test(`${driver}: delete answers 204 and removes the versions`, async () => {
    const created = (await pic.api("POST", `${A}/scripts`, { app_id: appId, name: "temp", source: v1 })).body;
    const del = await pic.api("DELETE", `${A}/scripts/${created.id}`);
    expect(del.status).toBe(204);
    expect((await pic.api("GET", `${A}/scripts/${created.id}`)).status).toBe(404);
    const rows = await pic.db.query("SELECT 1 FROM script_versions WHERE script_id = $1", [created.id]);
    expect(rows).toHaveLength(0);
  });

  test(`${driver}: changes NOTIFY picloud_route_table with the app id`, async () => {
    const seen: string[] = [];
    const stop = await pic.db.listen("picloud_route_table", (p) => seen.push(p));
    try {
      const created = (await pic.api("POST", `${A}/scripts`, { app_id: appId, name: "notifier", source: v1 })).body;
      await pic.api("PATCH", `${A}/scripts/${created.id}`, { source: v2 });
      await pic.api("DELETE", `${A}/scripts/${created.id}`);
      for (let i = 0; i < 50 && seen.length < 3; i++) await Bun.sleep(20);
      expect(seen.length).toBeGreaterThanOrEqual(3);
      expect(seen.every((p) => p === appId)).toBe(true);
    } finally {
      await stop();
    }
  });
});
