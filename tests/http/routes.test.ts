// Routes over HTTP on both drivers: create/list/delete, validation, 409
// conflicts naming the other route, the match preview, and the seed route.
import { expect, test } from "bun:test";
import { eachDriver, startPicloud } from "../support/picloud.ts";
import { ECHO_CTX, addRoute, claim, createScript, defaultAppId } from "./exec-helpers.ts";

eachDriver((driver) => {
  const pic = startPicloud({ driver });

  test(`${driver}: the seed binds hello to GET /hello on localhost`, async () => {
    const res = await pic.api("POST", "/api/v1/admin/routes:match", { method: "GET", url: "http://localhost/hello" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ matched: true, app_slug: "default", script: { name: "hello" }, route: { method: "GET", path: "/hello", path_kind: "exact" } });
  });

  test(`${driver}: create, list and delete a route`, async () => {
    const s = await createScript(pic, "r-crud", ECHO_CTX);
    const created = await addRoute(pic, s.id, { method: "get", path: "/crud/:id" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ script_id: s.id, method: "GET", host_kind: "any", host: null, path_kind: "param", path: "/crud/:id" });
    const list = await pic.api("GET", `/api/v1/admin/scripts/${s.id}/routes`);
    expect(list.status).toBe(200);
    expect(list.body.map((r: { id: string }) => r.id)).toEqual([created.body.id]);
    const del = await pic.api("DELETE", `/api/v1/admin/routes/${created.body.id}`);
    expect(del.status).toBe(204);
    expect((await pic.api("GET", `/api/v1/admin/scripts/${s.id}/routes`)).body).toEqual([]);
    expect((await pic.api("DELETE", `/api/v1/admin/routes/${created.body.id}`)).status).toBe(404);
  });

  test(`${driver}: a clashing route is a 409 naming the other, across scripts of one app`, async () => {
    const a = await createScript(pic, "r-clash-a", ECHO_CTX);
    const b = await createScript(pic, "r-clash-b", ECHO_CTX);
    const first = await addRoute(pic, a.id, { method: "GET", path: "/hi/:name" });
    expect(first.status).toBe(201);
    // Same shape with another parameter name: indistinguishable, so a conflict.
    const res = await addRoute(pic, b.id, { method: "GET", path: "/hi/:who" });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "conflict", route_id: first.body.id, script_id: a.id, path: "/hi/:name" });
    // A different verb, host or kind is no conflict: precedence tells them apart.
    expect((await addRoute(pic, b.id, { method: "POST", path: "/hi/:who" })).status).toBe(201);
    expect((await addRoute(pic, b.id, { method: "GET", path: "/hi/:who", host: "api.example.test" })).status).toBe(201);
    expect((await addRoute(pic, b.id, { method: "GET", path: "/hi/*" })).status).toBe(201);
    expect((await addRoute(pic, b.id, { path: "/hi/:who" })).status).toBe(201); // ANY
  });

  test(`${driver}: the same path in another app is no conflict`, async () => {
    const app = await pic.api("POST", "/api/v1/admin/apps", { slug: "other-routes", name: "Other" });
    expect(app.status).toBe(201);
    const mine = await createScript(pic, "r-same-1", ECHO_CTX);
    const theirs = await createScript(pic, "r-same-2", ECHO_CTX, {}, app.body.id);
    expect((await addRoute(pic, mine.id, { path: "/same" })).status).toBe(201);
    expect((await addRoute(pic, theirs.id, { path: "/same" })).status).toBe(201);
  });

  test(`${driver}: invalid routes are 422 naming the field`, async () => {
    const s = await createScript(pic, "r-invalid", ECHO_CTX);
    const cases: [Record<string, unknown>, string][] = [
      [{ path: "no-slash" }, "path"],
      [{}, "path"],
      [{ path: "/x", method: "BREW" }, "method"],
      [{ path: "/x", host_kind: "strict" }, "host"],
      [{ path: "/x", path_kind: "param" }, "path"],
      [{ path: "/x", host: "*.bad*.com" }, "host"],
      [{ path: "/x", dispatch_mode: "async" }, "dispatch_mode"],
    ];
    for (const [body, field] of cases) {
      const res = await addRoute(pic, s.id, body);
      expect({ body, status: res.status, field: res.body.error?.field }).toEqual({ body, status: 422, field });
    }
  });

  test(`${driver}: unknown script ids are 404, anonymous callers 401`, async () => {
    const missing = "00000000-0000-4000-8000-000000000000";
    expect((await pic.api("GET", `/api/v1/admin/scripts/${missing}/routes`)).status).toBe(404);
    expect((await addRoute(pic, missing, { path: "/x" })).status).toBe(404);
    expect((await pic.api("GET", `/api/v1/admin/scripts/${missing}/routes`, undefined, { token: null })).status).toBe(401);
    expect((await pic.api("POST", "/api/v1/admin/routes:match", { url: "http://localhost/" }, { token: null })).status).toBe(401);
  });

  test(`${driver}: match preview shows the winner, params and rest`, async () => {
    const appId = await defaultAppId(pic);
    await claim(pic, "*.preview.test", appId);
    const p = await createScript(pic, "r-prev-param", ECHO_CTX);
    const x = await createScript(pic, "r-prev-exact", ECHO_CTX);
    const f = await createScript(pic, "r-prev-prefix", ECHO_CTX);
    await addRoute(pic, p.id, { path: "/pv/:name" });
    await addRoute(pic, x.id, { path: "/pv/exact" });
    await addRoute(pic, f.id, { path: "/pv/*" });
    const match = (url: string, method = "GET") => pic.api("POST", "/api/v1/admin/routes:match", { method, url });
    expect((await match("http://a.preview.test/pv/exact")).body).toMatchObject({ matched: true, script: { name: "r-prev-exact" } });
    expect((await match("http://a.preview.test/pv/ann")).body).toMatchObject({ matched: true, script: { name: "r-prev-param" }, params: { name: "ann" } });
    expect((await match("http://a.preview.test/pv/a/b.css")).body).toMatchObject({ matched: true, script: { name: "r-prev-prefix" }, rest: "a/b.css" });
    expect((await match("http://localhost/nothing-here")).body).toMatchObject({ matched: false, reason: "no route for GET /nothing-here" });
    expect((await match("http://unclaimed.example/")).body).toMatchObject({ matched: false, reason: "no app claims host unclaimed.example" });
    const bad = await pic.api("POST", "/api/v1/admin/routes:match", { url: "not a url" });
    expect(bad.status).toBe(422);
    expect(bad.body.error.field).toBe("url");
  });
});

eachDriver((driver) => {
  const pic = startPicloud({ driver });
  test(`${driver}: the OpenAPI document lists the routes, logs and execute endpoints`, async () => {
    const res = await pic.api("GET", "/api/v1/openapi.json", undefined, { token: null });
    expect(res.status).toBe(200);
    const paths = Object.keys(res.body.paths);
    for (const p of [
      "/api/v1/admin/scripts/{id}/routes",
      "/api/v1/admin/routes/{id}",
      "/api/v1/admin/scripts/{id}/logs",
      "/api/v1/admin/scripts/{id}/logs/stream",
      "/api/v1/admin/apps/{id}/logs",
      "/api/v1/admin/logs/{executionId}",
      "/api/v1/execute/{scriptId}",
    ]) expect(paths).toContain(p);
    // @elysiajs/openapi renders the literal `:match` like a parameter; either spelling names the endpoint.
    expect(paths.some((p) => p === "/api/v1/admin/routes:match" || p === "/api/v1/admin/routes{match}")).toBe(true);
  });
});
