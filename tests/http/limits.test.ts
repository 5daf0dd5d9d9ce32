// GET /api/v1/admin/limits: the operator's defaults and ceilings, as scripts spell them.
import { expect, test } from "bun:test";
import { eachDriver, startPicloud } from "../support/picloud.ts";

const A = "/api/v1/admin";
const NAMES = [
  "concurrent_fetches", "console_bytes", "cpu_ms", "memory_mb", "request_body_bytes", "response_body_bytes", "stack_kb", "timeout_ms",
];

eachDriver((driver) => {
  const pic = startPicloud({ driver, env: { PICLOUD_MAX_TIMEOUT_MS: "1000", PICLOUD_MAX_MEMORY_MB: "100" } });

  test(`${driver}: defaults and ceilings in the script limit names; a default above its ceiling is clamped`, async () => {
    const res = await pic.api("GET", `${A}/limits`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.defaults).sort()).toEqual(NAMES);
    expect(Object.keys(res.body.ceilings).sort()).toEqual(NAMES);
    expect(res.body.ceilings).toMatchObject({ timeout_ms: 1000, memory_mb: 100, cpu_ms: 10_000 });
    expect(res.body.defaults).toMatchObject({ timeout_ms: 1000, memory_mb: 64, cpu_ms: 5000 });
    for (const n of NAMES) expect(res.body.defaults[n]).toBeLessThanOrEqual(res.body.ceilings[n]);
    // The ceiling it reports is the one script saves enforce.
    const over = await pic.api("POST", `${A}/scripts`, {
      app_id: "default", name: "lim", source: "export default { fetch: () => new Response('x') }", limits: { timeout_ms: 1001 },
    });
    expect(over.status).toBe(422);
    expect(over.body.error).toMatchObject({ field: "limits.timeout_ms", ceiling: res.body.ceilings.timeout_ms });
  });

  test(`${driver}: any signed-in user may read them (an instance member too); anonymous is 401`, async () => {
    const created = await pic.api("POST", `${A}/admins`, { username: "plain", password: "plain-pass-1" });
    expect(created.status).toBe(201);
    const login = await pic.api("POST", `${A}/auth/login`, { username: "plain", password: "plain-pass-1" }, { token: null });
    const res = await pic.api("GET", `${A}/limits`, undefined, { token: login.body.token });
    expect(res.status).toBe(200);
    expect(res.body.ceilings.timeout_ms).toBe(1000);
    const anon = await pic.api("GET", `${A}/limits`, undefined, { token: null });
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe("unauthorized");
  });

  test(`${driver}: the endpoint is in the OpenAPI document`, async () => {
    const spec = (await pic.api("GET", "/api/v1/openapi.json", undefined, { token: null })).body;
    expect(spec.paths[`${A}/limits`]?.get).toBeDefined();
    const cands = spec.paths[`${A}/apps/{id}/member-candidates`]?.get;
    expect(cands.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`).sort()).toEqual(["path:id", "query:q"]);
  });
});
