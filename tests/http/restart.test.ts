import { expect, test } from "bun:test";
import { eachDriver, startPicloud } from "../support/picloud.ts";

const A = "/api/v1/admin";

eachDriver((driver) => {
  const pic = startPicloud({ driver });

  test(`${driver}: a restart keeps apps, domains, scripts and versions, and does not seed again`, async () => {
    const app = (await pic.api("POST", `${A}/apps`, { slug: "durable" })).body;
    await pic.api("POST", `${A}/apps/${app.id}/domains`, { domain: "durable.test" });
    const script = (await pic.api("POST", `${A}/scripts`, {
      app_id: app.id, name: "keep", source: "export default { fetch() { return new Response('1') } }",
    })).body;
    await pic.api("PATCH", `${A}/scripts/${script.id}`, { source: "export default { fetch() { return new Response('2') } }" });
    // The seeded app, deleted, must stay deleted.
    expect((await pic.api("DELETE", `${A}/apps/default?force=true`)).status).toBe(204);

    await pic.restart();

    expect((await pic.api("GET", `${A}/apps/durable`)).body.id).toBe(app.id);
    expect((await pic.api("GET", `${A}/apps/durable/domains`)).body[0].domain).toBe("durable.test");
    const again = await pic.api("GET", `${A}/scripts/${script.id}`);
    expect(again.body.version).toBe(2);
    expect((await pic.api("GET", `${A}/scripts/${script.id}/versions`)).body).toHaveLength(2);
    expect((await pic.api("GET", `${A}/apps/default`)).status).toBe(404);
  });
});
