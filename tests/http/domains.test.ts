import { expect, test } from "bun:test";
import { eachDriver, startPicloud } from "../support/picloud.ts";

const A = "/api/v1/admin";

eachDriver((driver) => {
  const pic = startPicloud({ driver });

  test(`${driver}: claim, list and release exact and wildcard domains`, async () => {
    const app = (await pic.api("POST", `${A}/apps`, { slug: "site" })).body;
    const exact = await pic.api("POST", `${A}/apps/${app.id}/domains`, { domain: "WWW.Example.com." });
    expect(exact.status).toBe(201);
    expect(exact.body).toMatchObject({ app_id: app.id, domain: "www.example.com" });
    const wild = await pic.api("POST", `${A}/apps/site/domains`, { domain: "*.example.com" });
    expect(wild.status).toBe(201);
    const list = await pic.api("GET", `${A}/apps/site/domains`);
    expect(list.body.map((d: { domain: string }) => d.domain)).toEqual(["*.example.com", "www.example.com"]);
    const del = await pic.api("DELETE", `${A}/apps/${app.id}/domains/${exact.body.id}`);
    expect(del.status).toBe(204);
    expect((await pic.api("DELETE", `${A}/apps/${app.id}/domains/${exact.body.id}`)).status).toBe(404);
    expect((await pic.api("DELETE", `${A}/apps/${app.id}/domains/not-an-id`)).status).toBe(404);
  });

  test(`${driver}: invalid domains are 422 naming the field`, async () => {
    for (const domain of ["", "a..b", "-a.com", "a-.com", "exa mple.com", "*.*.com", "a.*.com", "*", "x".repeat(64) + ".com", 7]) {
      const res = await pic.api("POST", `${A}/apps/default/domains`, { domain });
      expect(res.status).toBe(422);
      expect(res.body.error.field).toBe("domain");
    }
    expect((await pic.api("POST", `${A}/apps/default/domains`, {})).status).toBe(422);
  });

  test(`${driver}: a wildcard over a bare TLD is 422 naming the field; *.localhost is allowed`, async () => {
    for (const domain of ["*.com", "*.COM.", "*.local", "*.test"]) {
      const res = await pic.api("POST", `${A}/apps/default/domains`, { domain });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: "invalid_request", field: "domain" });
      expect(res.body.error.message).toContain("top-level domain");
    }
    const local = await pic.api("POST", `${A}/apps/default/domains`, { domain: "*.localhost" });
    expect(local.status).toBe(201);
    expect((await pic.api("DELETE", `${A}/apps/default/domains/${local.body.id}`)).status).toBe(204);
  });

  test(`${driver}: a claim held by another app is a 409 naming that app; the same app's duplicate too`, async () => {
    const a = (await pic.api("POST", `${A}/apps`, { slug: "owner-a" })).body;
    const b = (await pic.api("POST", `${A}/apps`, { slug: "owner-b" })).body;
    expect((await pic.api("POST", `${A}/apps/${a.id}/domains`, { domain: "shared.example.org" })).status).toBe(201);
    const res = await pic.api("POST", `${A}/apps/${b.id}/domains`, { domain: "Shared.example.org" });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "conflict", app_id: a.id, app_slug: "owner-a" });
    expect((await pic.api("POST", `${A}/apps/${a.id}/domains`, { domain: "shared.example.org" })).status).toBe(409);
    // A more specific claim under another app's wildcard is not a collision: most specific wins.
    expect((await pic.api("POST", `${A}/apps/${a.id}/domains`, { domain: "*.example.org" })).status).toBe(201);
    expect((await pic.api("POST", `${A}/apps/${b.id}/domains`, { domain: "api.example.org" })).status).toBe(201);
  });

  test(`${driver}: a domain id of another app is a 404 on this app's path`, async () => {
    const a = (await pic.api("POST", `${A}/apps`, { slug: "iso-a" })).body;
    const b = (await pic.api("POST", `${A}/apps`, { slug: "iso-b" })).body;
    const d = (await pic.api("POST", `${A}/apps/${a.id}/domains`, { domain: "iso-a.test" })).body;
    expect((await pic.api("DELETE", `${A}/apps/${b.id}/domains/${d.id}`)).status).toBe(404);
    expect((await pic.api("GET", `${A}/apps/${a.id}/domains`)).body).toHaveLength(1);
  });

  test(`${driver}: unknown app is 404 and anonymous is 401`, async () => {
    expect((await pic.api("GET", `${A}/apps/ghost/domains`)).status).toBe(404);
    expect((await pic.api("POST", `${A}/apps/ghost/domains`, { domain: "x.test" })).status).toBe(404);
    expect((await pic.api("GET", `${A}/apps/default/domains`, undefined, { token: null })).status).toBe(401);
  });
});
