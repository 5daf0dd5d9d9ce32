import { expect, test } from "bun:test";
import { eachDriver, startPicloud } from "../support/picloud.ts";

const A = "/api/v1/admin";

eachDriver((driver) => {
  const pic = startPicloud({ driver });

  test(`${driver}: a fresh install has the default app claiming localhost, with my_role`, async () => {
    const list = await pic.api("GET", `${A}/apps`);
    expect(list.status).toBe(200);
    expect(Array.isArray(list.body)).toBe(true);
    const def = list.body.find((a: { slug: string }) => a.slug === "default");
    expect(def).toBeDefined();
    const one = await pic.api("GET", `${A}/apps/default`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: def.id, slug: "default", my_role: "app_admin" });
    const domains = await pic.api("GET", `${A}/apps/${def.id}/domains`);
    expect(domains.body.map((d: { domain: string }) => d.domain)).toEqual(["localhost"]);
    const scripts = await pic.api("GET", `${A}/scripts?app=default`);
    expect(scripts.body.map((s: { name: string }) => s.name)).toEqual(["hello"]);
  });

  test(`${driver}: create answers 201 with the object; get by id and by slug`, async () => {
    const res = await pic.api("POST", `${A}/apps`, { slug: "blog", name: "My Blog", description: "posts" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ slug: "blog", name: "My Blog", description: "posts" });
    expect(res.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    const byId = await pic.api("GET", `${A}/apps/${res.body.id}`);
    expect(byId.status).toBe(200);
    expect(byId.body.slug).toBe("blog");
    const bySlug = await pic.api("GET", `${A}/apps/blog`);
    expect(bySlug.body.id).toBe(res.body.id);
  });

  test(`${driver}: a slug is derived from the name when absent`, async () => {
    const res = await pic.api("POST", `${A}/apps`, { name: "Shop Front!" });
    expect(res.status).toBe(201);
    expect(res.body.slug).toBe("shop-front");
  });

  test(`${driver}: invalid slugs are 422 naming the field`, async () => {
    for (const slug of ["Bad", "-x", "x-", "a_b", "", "a".repeat(64), "api", "admin", "0b2e1a4c-0000-4000-8000-000000000000"]) {
      const res = await pic.api("POST", `${A}/apps`, { slug, name: "x" });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: "invalid_request", field: "slug" });
    }
    const wrongType = await pic.api("POST", `${A}/apps`, { slug: 5 });
    expect(wrongType.status).toBe(422);
    expect(wrongType.body.error.field).toBe("slug");
  });

  test(`${driver}: a duplicate slug is a 409 naming the other app`, async () => {
    const first = await pic.api("POST", `${A}/apps`, { slug: "dup" });
    const res = await pic.api("POST", `${A}/apps`, { slug: "dup" });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "conflict", app_id: first.body.id });
  });

  test(`${driver}: unknown apps are 404; no credentials is 401`, async () => {
    expect((await pic.api("GET", `${A}/apps/nope`)).status).toBe(404);
    expect((await pic.api("GET", `${A}/apps/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await pic.api("PATCH", `${A}/apps/nope`, { name: "x" })).status).toBe(404);
    expect((await pic.api("DELETE", `${A}/apps/nope`)).status).toBe(404);
    const anon = await pic.api("GET", `${A}/apps`, undefined, { token: null });
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe("unauthorized");
    expect((await pic.api("GET", `${A}/apps/default`, undefined, { token: null })).status).toBe(401);
  });

  test(`${driver}: rename via slug:check then PATCH; the old slug answers 308 to the new path`, async () => {
    const app = (await pic.api("POST", `${A}/apps`, { slug: "old-name" })).body;
    await pic.api("POST", `${A}/apps`, { slug: "taken" });
    const bad = await pic.api("POST", `${A}/apps/${app.id}/slug:check`, { slug: "Nope!" });
    expect(bad.status).toBe(200);
    expect(bad.body).toMatchObject({ valid: false, available: false });
    const taken = await pic.api("POST", `${A}/apps/${app.id}/slug:check`, { slug: "taken" });
    expect(taken.body).toMatchObject({ valid: true, available: false });
    const ok = await pic.api("POST", `${A}/apps/old-name/slug:check`, { slug: "new-name" });
    expect(ok.body).toMatchObject({ slug: "new-name", valid: true, available: true, reason: null });
    expect((await pic.api("POST", `${A}/apps/${app.id}/slug:nope`, { slug: "x" })).status).toBe(404);

    const renamed = await pic.api("PATCH", `${A}/apps/${app.id}`, { slug: "new-name" });
    expect(renamed.status).toBe(200);
    expect(renamed.body.slug).toBe("new-name");

    const moved = await pic.api("GET", `${A}/apps/old-name`);
    expect(moved.status).toBe(308);
    expect(moved.headers.get("location")).toBe(`${A}/apps/new-name`);
    const movedDomains = await pic.api("GET", `${A}/apps/old-name/domains?x=1`);
    expect(movedDomains.status).toBe(308);
    expect(movedDomains.headers.get("location")).toBe(`${A}/apps/new-name/domains?x=1`);

    // The old slug stays a redirect: another app cannot take it; the same app can take it back.
    const steal = await pic.api("POST", `${A}/apps`, { slug: "old-name" });
    expect(steal.status).toBe(409);
    expect(steal.body.error.app_id).toBe(app.id);
    const back = await pic.api("PATCH", `${A}/apps/${app.id}`, { slug: "old-name" });
    expect(back.status).toBe(200);
    expect((await pic.api("GET", `${A}/apps/new-name`)).status).toBe(308);
    expect((await pic.api("GET", `${A}/apps/old-name`)).status).toBe(200);
  });

  test(`${driver}: PATCH validates name and slug; renaming onto a taken slug is 409`, async () => {
    const app = (await pic.api("POST", `${A}/apps`, { slug: "patchme" })).body;
    expect((await pic.api("PATCH", `${A}/apps/${app.id}`, { name: "" })).body.error.field).toBe("name");
    expect((await pic.api("PATCH", `${A}/apps/${app.id}`, { slug: "UPPER" })).status).toBe(422);
    const res = await pic.api("PATCH", `${A}/apps/${app.id}`, { slug: "default" });
    expect(res.status).toBe(409);
    const named = await pic.api("PATCH", `${A}/apps/patchme`, { name: "Renamed", description: "d" });
    expect(named.body).toMatchObject({ slug: "patchme", name: "Renamed", description: "d" });
  });

  test(`${driver}: DELETE refuses a non-empty app with {script_count, domains}; force cascades`, async () => {
    const app = (await pic.api("POST", `${A}/apps`, { slug: "doomed" })).body;
    await pic.api("POST", `${A}/apps/${app.id}/domains`, { domain: "doomed.example.com" });
    const script = await pic.api("POST", `${A}/scripts`, {
      app_id: app.id, name: "s1", source: "export default { fetch() { return new Response('x') } }",
    });
    expect(script.status).toBe(201);
    await pic.api("PATCH", `${A}/scripts/${script.body.id}`, { source: "export default { fetch() { return new Response('y') } }" });

    const refused = await pic.api("DELETE", `${A}/apps/${app.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: "conflict", script_count: 1, domains: ["doomed.example.com"] });

    const forced = await pic.api("DELETE", `${A}/apps/${app.id}?force=true`);
    expect(forced.status).toBe(204);
    expect(forced.body).toBeNull();
    expect((await pic.api("GET", `${A}/apps/${app.id}`)).status).toBe(404);
    expect((await pic.api("GET", `${A}/scripts/${script.body.id}`)).status).toBe(404);
    const left = await pic.db.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM scripts WHERE app_id = $1) + (SELECT count(*) FROM script_versions WHERE app_id = $1)
            + (SELECT count(*) FROM domains WHERE app_id = $1) AS n`,
      [app.id],
    );
    expect(left[0]!.n).toBe(0);
    // The claim is free again.
    const other = (await pic.api("POST", `${A}/apps`, { slug: "heir" })).body;
    expect((await pic.api("POST", `${A}/apps/${other.id}/domains`, { domain: "doomed.example.com" })).status).toBe(201);
  });

  test(`${driver}: an empty app deletes without force`, async () => {
    const app = (await pic.api("POST", `${A}/apps`, { slug: "empty" })).body;
    expect((await pic.api("DELETE", `${A}/apps/empty`)).status).toBe(204);
    expect((await pic.api("GET", `${A}/apps/${app.id}`)).status).toBe(404);
  });
});

eachDriver((driver) => {
  const pic = startPicloud({ driver });

  test(`${driver}: the seeded hello script answers GET /hello on localhost`, async () => {
    const res = await fetch(`${pic.url}/hello`, { headers: { host: `localhost:${pic.port}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("Hello from PiCloud!\n");
  });
});
