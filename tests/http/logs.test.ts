// Execution logs over HTTP on both drivers: one record per invocation with
// console lines and errors, pages newest first, the SSE live tail, and the
// retention sweep by age and per-script row cap.
import { expect, test } from "bun:test";
import { eachDriver, startPicloud } from "../support/picloud.ts";
import { createScript, defaultAppId, waitFor } from "./exec-helpers.ts";

const LOGGER = `export default {
  async fetch(req, ctx) {
    console.log("hello from", ctx.script.name);
    console.warn("careful");
    return new Response("logged " + req.method, { status: 201 });
  },
};
`;

eachDriver((driver) => {
  const pic = startPicloud({ driver, env: { PICLOUD_LOG_MAX_ROWS_PER_SCRIPT: "3" } });

  const invoke = async (id: string, init: RequestInit = {}) => {
    // Records are ordered by start time in milliseconds, then by id: keep invocations a millisecond apart
    // so "newest first" is also invocation order here.
    await Bun.sleep(2);
    const res = await fetch(`${pic.url}/api/v1/execute/${id}`, init);
    await res.arrayBuffer();
    return { status: res.status, executionId: res.headers.get("x-picloud-execution-id")! };
  };

  test(`${driver}: an invocation is logged with its console lines, request and status`, async () => {
    const s = await createScript(pic, "log-one", LOGGER);
    const { status, executionId } = await invoke(s.id, { method: "POST", body: "12345" });
    expect(status).toBe(201);
    const res = await pic.api("GET", `/api/v1/admin/logs/${executionId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: executionId,
      script_id: s.id,
      app_id: s.app_id,
      script_version: 1,
      trigger_kind: "http",
      status: "ok",
      http_status: 201,
      request_method: "POST",
      request_url: `${pic.url}/api/v1/execute/${s.id}`,
      request_size: 5,
      response_size: "logged POST".length,
      error: null,
    });
    expect(res.body.console.map((l: { level: string; message: string }) => [l.level, l.message])).toEqual([
      ["log", "hello from log-one"],
      ["warn", "careful"],
    ]);
    expect(typeof res.body.duration_ms).toBe("number");
    expect(Date.parse(res.body.created_at)).not.toBeNaN();
  });

  test(`${driver}: failures are logged with their code, message and stack`, async () => {
    const s = await createScript(pic, "log-throw", `export default { fetch() { throw new TypeError("bad thing"); } };`);
    const { status, executionId } = await invoke(s.id);
    expect(status).toBe(502);
    const row = (await pic.api("GET", `/api/v1/admin/logs/${executionId}`)).body;
    expect(row).toMatchObject({ status: "script_error", http_status: 502 });
    expect(row.error).toContain("bad thing");
    expect(typeof row.stack).toBe("string");

    const limited = await createScript(pic, "log-413", LOGGER, { limits: { request_body_bytes: 10 } });
    const refused = await invoke(limited.id, { method: "POST", body: "x".repeat(100) });
    expect(refused.status).toBe(413);
    expect((await pic.api("GET", `/api/v1/admin/logs/${refused.executionId}`)).body).toMatchObject({ status: "body_too_large", http_status: 413 });
  });

  test(`${driver}: script and app logs page newest first with limit and before`, async () => {
    const s = await createScript(pic, "log-pages", LOGGER);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await invoke(s.id)).executionId);
    const page1 = await pic.api("GET", `/api/v1/admin/scripts/${s.id}/logs?limit=2`);
    expect(page1.status).toBe(200);
    expect(page1.body.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1]]);
    const page2 = await pic.api("GET", `/api/v1/admin/scripts/${s.id}/logs?limit=2&before=${ids[1]}`);
    expect(page2.body.map((r: { id: string }) => r.id)).toEqual([ids[0]]);
    const byTime = await pic.api("GET", `/api/v1/admin/scripts/${s.id}/logs?before=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(byTime.body).toHaveLength(3);

    const app = await pic.api("GET", `/api/v1/admin/apps/default/logs?limit=500`);
    expect(app.status).toBe(200);
    const appIds = app.body.map((r: { id: string }) => r.id);
    for (const id of ids) expect(appIds).toContain(id);
    expect((await pic.api("GET", `/api/v1/admin/apps/${await defaultAppId(pic)}/logs?limit=1`)).body).toHaveLength(1);
  });

  test(`${driver}: bad paging input is a 422 naming the field; unknown ids 404; anonymous 401`, async () => {
    const s = await createScript(pic, "log-bad", LOGGER);
    for (const [q, field] of [["limit=0", "limit"], ["limit=abc", "limit"], ["limit=501", "limit"], ["before=yesterday", "before"]]) {
      const res = await pic.api("GET", `/api/v1/admin/scripts/${s.id}/logs?${q}`);
      expect({ q, status: res.status, field: res.body.error?.field }).toEqual({ q, status: 422, field });
    }
    const missing = "00000000-0000-4000-8000-000000000000";
    expect((await pic.api("GET", `/api/v1/admin/logs/${missing}`)).status).toBe(404);
    expect((await pic.api("GET", `/api/v1/admin/scripts/${missing}/logs`)).status).toBe(404);
    expect((await pic.api("GET", `/api/v1/admin/apps/no-such-app/logs`)).status).toBe(404);
    expect((await pic.api("GET", `/api/v1/admin/scripts/${s.id}/logs`, undefined, { token: null })).status).toBe(401);
    expect((await pic.api("GET", `/api/v1/admin/logs/${missing}`, undefined, { token: null })).status).toBe(401);
  });

  test(`${driver}: the SSE tail receives a new execution`, async () => {
    const s = await createScript(pic, "log-tail", LOGGER);
    const token = await pic.login();
    const abort = new AbortController();
    const res = await fetch(`${pic.url}/api/v1/admin/scripts/${s.id}/logs/stream`, {
      headers: { authorization: `Bearer ${token}` },
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    const nextEvent = async (): Promise<{ event: string; data: string }> => {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          if (!event) continue; // comments and retry lines
          return { event, data: /^data: (.*)$/m.exec(block)?.[1] ?? "" };
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        buffer += value;
      }
    };
    expect((await nextEvent()).event).toBe("ready");
    const { executionId } = await invoke(s.id);
    const ev = await nextEvent();
    expect(ev.event).toBe("execution");
    expect(JSON.parse(ev.data)).toMatchObject({ id: executionId, script_id: s.id, status: "ok" });
    abort.abort();

    const denied = await fetch(`${pic.url}/api/v1/admin/scripts/${s.id}/logs/stream`);
    expect(denied.status).toBe(401);
  });

  test(`${driver}: the retention sweep drops rows past the per-script cap and past the age limit`, async () => {
    const s = await createScript(pic, "log-sweep", LOGGER);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await invoke(s.id)).executionId);
    const old = crypto.randomUUID();
    const other = await createScript(pic, "log-sweep-old", LOGGER);
    pic.services.executions.record({
      id: old, app_id: other.app_id, script_id: other.id, script_version: 1, trigger_kind: "http", status: "ok",
      http_status: 200, duration_ms: 1, cpu_ms: 1, request_method: "GET", request_url: "http://x/", request_size: 0,
      response_size: 0, console: [], console_truncated: false, error: null, stack: null, root_execution_id: old,
      trigger_depth: 0, created_at: new Date(Date.now() - 30 * 86_400_000).toISOString(),
    });
    const swept = await pic.services.executions.sweep();
    expect(swept.byAge).toBeGreaterThanOrEqual(1);
    expect(swept.byCap).toBeGreaterThanOrEqual(2);
    const left = await pic.api("GET", `/api/v1/admin/scripts/${s.id}/logs`);
    expect(left.body.map((r: { id: string }) => r.id)).toEqual([ids[4], ids[3], ids[2]]);
    expect((await pic.api("GET", `/api/v1/admin/logs/${old}`)).status).toBe(404);
  });
});
