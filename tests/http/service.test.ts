import { expect, test } from "bun:test";
import { eachDriver, startPicloud } from "../support/picloud.ts";

eachDriver((driver) => {
  const pic = startPicloud({ driver });

  test(`${driver}: /healthz answers ok`, async () => {
    const res = await pic.api("GET", "/healthz", undefined, { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toBe("ok");
  });

  test(`${driver}: /version names every version`, async () => {
    const res = await pic.api("GET", "/version", undefined, { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ product: "picloud", api: 1, wire: 1 });
    expect(res.body.schema).toBeGreaterThanOrEqual(1);
    expect(typeof res.body.sdk).toBe("string");
  });

  test(`${driver}: an unknown path is a JSON 404`, async () => {
    const res = await pic.api("GET", "/api/v1/admin/nope", undefined, { token: null });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });

  test(`${driver}: bad JSON is a 422 naming the body`, async () => {
    const res = await pic.api("POST", "/api/v1/admin/apps", "{not json", { headers: { "content-type": "application/json" } });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "invalid_request", field: "body" });
  });

  test(`${driver}: an oversized body is a JSON 413, by Content-Length`, async () => {
    const big = "x".repeat(3 * 1024 * 1024);
    const res = await pic.api("POST", "/api/v1/admin/apps", big, { headers: { "content-type": "application/json" } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("body_too_large");
  });

  test(`${driver}: an oversized chunked body is a JSON 413 too`, async () => {
    const token = await pic.login();
    const chunk = new Uint8Array(256 * 1024).fill(0x20);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 3 * 1024 * 1024) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const res = await fetch(`${pic.url}/api/v1/admin/apps`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: stream,
    });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe("body_too_large");
  });

  test(`${driver}: the OpenAPI document lists the admin endpoints, and the docs page needs no CDN`, async () => {
    const spec = await pic.api("GET", "/api/v1/openapi.json", undefined, { token: null });
    expect(spec.status).toBe(200);
    const paths = Object.keys(spec.body.paths);
    for (const p of ["/api/v1/admin/apps", "/api/v1/admin/apps/{id}", "/api/v1/admin/apps/{id}/slug:check", "/api/v1/admin/apps/{id}/domains", "/api/v1/admin/scripts/{id}/versions"]) {
      expect(paths).toContain(p);
    }
    expect(paths).not.toContain("/api/v1/admin/apps/{id}/{action}");
    const page = await pic.api("GET", "/api/v1/docs", undefined, { token: null });
    expect(page.status).toBe(200);
    expect(page.body).toContain("/api/v1/openapi.json");
    expect(page.body).not.toMatch(/https?:\/\//);
  });
});

eachDriver((driver) => {
  const pic = startPicloud({ driver });

  test(`${driver}: an empty body where one is required is a 422 naming the body`, async () => {
    const res = await pic.api("POST", "/api/v1/admin/apps", "", { headers: { "content-type": "application/json" } });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: "invalid_request", field: "body" });
  });

  test(`${driver}: JSON sent as form-urlencoded (curl -d) is still read as JSON`, async () => {
    const res = await pic.api("POST", "/api/v1/admin/apps", '{"slug":"curl-form"}', {
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(201);
    expect(res.body.slug).toBe("curl-form");
  });

  test(`${driver}: request bodies are documented as JSON in the OpenAPI document`, async () => {
    const spec = await pic.api("GET", "/api/v1/openapi.json", undefined, { token: null });
    const post = spec.body.paths["/api/v1/admin/scripts"].post;
    expect(post.requestBody.content["application/json"].schema.properties.source).toBeDefined();
  });
});
