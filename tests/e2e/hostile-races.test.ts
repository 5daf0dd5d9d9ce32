// Concurrent writes racing for the same unique thing: exactly one wins (201)
// and every other answer is a 409 naming the conflict — a unique-violation
// that slips past the service's own check must never surface as a 500.
import { beforeAll, describe, expect, test } from "bun:test";
import { eachDriver, startPicloud } from "../support/picloud.ts";
import { ADMIN, createApp, deploy, expectErrorShape, hit } from "./fixtures/harness.ts";

const N = 12;

eachDriver((driver) => {
  describe(`${driver}: racing writes`, () => {
    const pic = startPicloud({ driver });
    let app = "";
    let other = "";

    beforeAll(async () => {
      app = (await createApp(pic, "race-a")).id;
      other = (await createApp(pic, "race-b")).id;
      await pic.login();
    }, 60_000);

    async function race(make: (i: number) => Promise<{ status: number; body: any }>) {
      const results = await Promise.all(Array.from({ length: N }, (_, i) => make(i)));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 201).length).toBe(1);
      expect(statuses.filter((s) => s === 409).length).toBe(N - 1);
      for (const r of results) if (r.status === 409) expectErrorShape(r.body, "conflict");
      return results.find((r) => r.status === 201)!.body;
    }

    test("the same app slug created concurrently", async () => {
      await race(() => pic.api("POST", `${ADMIN}/apps`, { slug: "contested", name: "c" }));
    }, 30_000);

    test("the same script name in one app created concurrently", async () => {
      await race(() => pic.api("POST", `${ADMIN}/scripts`, { app_id: app, name: "contested", source: `export default { fetch: () => new Response("x") };` }));
    }, 30_000);

    test("the same route path bound concurrently by different scripts", async () => {
      const scripts: Array<{ id: string }> = [];
      for (let i = 0; i < N; i++) scripts.push(await deploy(pic, `route-racer-${i}`, `export default { fetch: () => new Response("${i}") };`, {}, app));
      await pic.api("POST", `${ADMIN}/apps/${app}/domains`, { domain: "race.example" });
      const won = await race((i) => pic.api("POST", `${ADMIN}/scripts/${scripts[i]!.id}/routes`, { method: "GET", path: "/contested" }));
      const res = await hit(pic, "/contested", {}, "race.example");
      expect(res.status).toBe(200);
      const winner = scripts.findIndex((s) => s.id === won.script_id);
      expect(await res.text()).toBe(String(winner));
    }, 60_000);

    test("the same domain claimed concurrently by two apps", async () => {
      await race((i) => pic.api("POST", `${ADMIN}/apps/${i % 2 ? app : other}/domains`, { domain: "fought-over.example" }));
    }, 30_000);

    test("the same user added as a member concurrently", async () => {
      const user = await pic.api("POST", `${ADMIN}/admins`, { username: "racer", password: "race-password-123", instance_role: "member" });
      expect(user.status).toBe(201);
      await race(() => pic.api("POST", `${ADMIN}/apps/${app}/members`, { user_id: user.body.id, role: "viewer" }));
    }, 30_000);

    test("the same username created concurrently", async () => {
      await race(() => pic.api("POST", `${ADMIN}/admins`, { username: "twin", password: "race-password-123", instance_role: "member" }));
    }, 60_000);

    test("concurrent saves of one script each get their own version", async () => {
      const s = await deploy(pic, "versioned", `export default { fetch: () => new Response("0") };`, {}, app);
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) =>
        pic.api("PATCH", `${ADMIN}/scripts/${s.id}`, { source: `export default { fetch: () => new Response("${i + 1}") };` })));
      for (const r of results) expect([200, 409]).toContain(r.status);
      const ok = results.filter((r) => r.status === 200).map((r) => r.body.version);
      expect(new Set(ok).size).toBe(ok.length);
      const versions = await pic.api("GET", `${ADMIN}/scripts/${s.id}/versions`);
      expect(versions.status).toBe(200);
      expect(versions.body.length).toBe(1 + ok.length);
    }, 60_000);

    test("deleting an app while its scripts are being created never gives a 500", async () => {
      const doomed = (await createApp(pic, "doomed")).id;
      const creates = Array.from({ length: 8 }, (_, i) =>
        pic.api("POST", `${ADMIN}/scripts`, { app_id: doomed, name: `d-${i}`, source: `export default { fetch: () => new Response("d") };` }));
      const del = pic.api("DELETE", `${ADMIN}/apps/${doomed}?force=true`);
      const results = await Promise.all([...creates, del]);
      for (const r of results) expect([201, 204, 404, 409]).toContain(r.status);
      const after = await pic.api("GET", `${ADMIN}/apps/${doomed}`);
      expect([200, 404]).toContain(after.status);
    }, 60_000);
  });
});
