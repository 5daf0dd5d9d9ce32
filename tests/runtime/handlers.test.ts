import { afterAll, describe, expect, test } from "bun:test";
import { ctx, http, json, makeRuntime, script, text } from "./support.ts";

const rt = makeRuntime();
afterAll(() => rt.close());

describe("handler forms", () => {
  test("export default { fetch } answers through a worker", async () => {
    const s = script(`export default { async fetch(req, ctx) { return Response.json({ hello: ctx.params.name ?? "world", method: req.method, url: req.url }); } }`);
    const r = await rt.invoke(s, http({ method: "POST", url: "http://example.test/hi?x=1" }), ctx({ params: { name: "pi" } }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.status).toBe(200);
    expect(r.headers).toContainEqual(["content-type", "application/json"]);
    expect(JSON.parse(new TextDecoder().decode(r.body))).toEqual({ hello: "pi", method: "POST", url: "http://example.test/hi?x=1" });
    expect(r.cold).toBe(true);
    const again = await rt.invoke(s, http(), ctx());
    expect(again.cold).toBe(false);
  });

  test("a synchronous fetch handler and a custom status", async () => {
    const s = script(`export default { fetch() { return new Response("made", { status: 201, headers: { "x-a": "b" } }); } }`);
    const r = await rt.invoke(s, http(), ctx());
    expect(r.ok && r.status).toBe(201);
    expect(r.ok && r.headers).toContainEqual(["x-a", "b"]);
    expect(text(r)).toBe("made");
  });

  test("the request body reaches the handler", async () => {
    const s = script(`export default { async fetch(req) { const b = await req.json(); return Response.json({ got: b.n + 1 }); } }`);
    const r = await rt.invoke(s, http({ method: "POST", body: new TextEncoder().encode(`{"n":41}`) }), ctx());
    expect(json(r)).toEqual({ got: 42 });
  });

  test("export default { event } receives the event and ctx.event", async () => {
    const s = script(`export default { async event(ev, ctx) { return { seen: ev.kind, same: ctx.event.kind === ev.kind, depth: ctx.triggerDepth }; } }`);
    const r = await rt.invoke(s, { kind: "event", event: { kind: "kv.set", key: "k" } }, ctx({ triggerDepth: 2 }));
    expect(json(r)).toEqual({ seen: "kv.set", same: true, depth: 2 });
  });

  test("an event handler returning nothing answers 204", async () => {
    const s = script(`export default { event() {} }`);
    const r = await rt.invoke(s, { kind: "event", event: {} }, ctx());
    expect(r.ok && r.status).toBe(204);
  });

  test("Deno.serve(handler)", async () => {
    const s = script(`Deno.serve((req) => new Response("hi " + new URL(req.url).pathname));`.replace("new URL(req.url).pathname", "req.method"));
    expect(text(await rt.invoke(s, http(), ctx()))).toBe("hi GET");
  });

  test("Deno.serve(options, handler) ignores the options", async () => {
    const s = script(`const server = Deno.serve({ port: 8000 }, async (req) => new Response("opts")); if (!server.finished) throw new Error("no server object");`);
    expect(text(await rt.invoke(s, http(), ctx()))).toBe("opts");
  });

  test("Deno.serve's handler gets info.remoteAddr from the invocation context, and info.completed settles", async () => {
    const s = script(`
      let completions = 0;
      Deno.serve(async (req, info) => {
        if (new URL(req.url).pathname === "/count") return Response.json({ completions });
        info.completed.then(() => { completions++; console.log("completed"); });
        return Response.json({ addr: info.remoteAddr ?? null, frozen: Object.isFrozen(info.remoteAddr ?? {}), params: info.params });
      });`);
    const r = await rt.invoke(s, http(), ctx({ params: { id: "7" }, remoteAddr: { hostname: "127.0.0.1", port: 40123 } }));
    expect(json(r)).toEqual({ addr: { transport: "tcp", hostname: "127.0.0.1", port: 40123 }, frozen: true, params: { id: "7" } });
    expect(r.console.map((l) => l.message)).toContain("completed");
    expect(json(await rt.invoke(s, http({ url: "http://localhost/count" }), ctx()))).toEqual({ completions: 1 });
    // No socket address (e.g. an internal call): remoteAddr is absent rather than invented.
    expect(json(await rt.invoke(s, http(), ctx())).addr).toBeNull();
  });

  test("a Deno.serve handler that fails leaves info.completed pending: no callback runs in a later invocation", async () => {
    const s = script(`
      let seen = "none";
      Deno.serve((req, info) => {
        if (req.method === "GET") return new Response(seen);
        info.completed.then(() => { seen = "resolved"; }, (e) => { seen = "rejected: " + e.message; });
        throw new Error("boom");
      });`);
    const r = await rt.invoke(s, http({ method: "POST" }), ctx());
    expect(r.ok).toBe(false);
    expect(text(await rt.invoke(s, http(), ctx()))).toBe("none");
    expect(text(await rt.invoke(s, http(), ctx()))).toBe("none");
  });

  test("Deno.serve({ handler })", async () => {
    const s = script(`Deno.serve({ handler: () => new Response("obj") });`);
    expect(text(await rt.invoke(s, http(), ctx()))).toBe("obj");
  });

  test("an HTTP call to an event-only script is a script error naming the missing handler", async () => {
    const s = script(`export default { event() {} }`);
    const r = await rt.invoke(s, http(), ctx());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe("script_error");
    expect(r.message).toContain("no fetch handler");
  });

  test("returning something that is not a Response is a script error", async () => {
    const s = script(`export default { fetch() { return { status: 200 }; } }`);
    const r = await rt.invoke(s, http(), ctx());
    expect(!r.ok && r.code).toBe("script_error");
  });

  test("Deno.cron declarations are readable after evaluation and run as cron events", async () => {
    const s = script(`
      let runs = 0;
      Deno.cron("cleanup", "0 3 * * *", () => { runs++; console.log("cleaned", runs); });
      Deno.cron("hourly", "0 * * * *", { backoffSchedule: [10] }, async () => {});
      export default { fetch() { return new Response(String(runs)); } };`);
    const d = await rt.describe(s);
    expect(d.crons).toEqual([
      { name: "cleanup", schedule: "0 3 * * *" },
      { name: "hourly", schedule: "0 * * * *" },
    ]);
    expect(d.fetch).toBe(true);
    expect(d.event).toBe(false);
    const r = await rt.invoke(s, { kind: "event", event: { type: "cron", name: "cleanup" } }, ctx());
    expect(r.ok).toBe(true);
    expect(r.console.map((l) => l.message)).toEqual(["cleaned 1"]);
  });

  test("describe reports Deno.serve and event handlers", async () => {
    expect(await rt.describe(script(`Deno.serve(() => new Response(""));`))).toMatchObject({ fetch: false, denoServe: true, crons: [] });
    expect(await rt.describe(script(`export default { event() {} }`))).toMatchObject({ fetch: false, event: true, denoServe: false });
  });

  test("top-level await in the module", async () => {
    const s = script(`const v = await Promise.resolve(7); export default { fetch() { return new Response(String(v)); } }`);
    expect(text(await rt.invoke(s, http(), ctx()))).toBe("7");
  });
});

describe("ctx", () => {
  test("carries every field of DESIGN §3", async () => {
    const s = script(`export default { fetch(req, ctx) {
      const { waitUntil, ...rest } = ctx;
      return Response.json({ ...rest, waitUntil: typeof waitUntil, hasEvent: "event" in ctx });
    } }`, { id: "sid", name: "hello", version: 3, app: { id: "aid", slug: "myapp" } });
    const principal = { kind: "user" as const, user_id: "u1", username: "ann", instance_role: "owner" as const };
    const r = await rt.invoke(s, http(), ctx({
      executionId: "e9", requestId: "r9", rootExecutionId: "e1", triggerDepth: 1,
      params: { a: "b" }, rest: "x/y", query: { q: "1" }, principal,
    }));
    expect(json(r)).toEqual({
      app: { id: "aid", slug: "myapp" },
      script: { id: "sid", name: "hello", version: 3 },
      executionId: "e9", requestId: "r9", rootExecutionId: "e1", triggerDepth: 1,
      params: { a: "b" }, rest: "x/y", query: { q: "1" }, sdkVersion: "1", principal,
      waitUntil: "function", hasEvent: false,
    });
  });

  test("waitUntil work runs after the answer", async () => {
    const s = script(`
      globalThis.done = 0;
      export default { fetch(req, ctx) {
        if (req.method === "GET") return new Response(String(globalThis.done));
        console.log("before answer");
        ctx.waitUntil(new Promise((r) => setTimeout(() => { globalThis.done++; console.log("in tail"); r(); }, 20)));
        return new Response("queued");
      } }`);
    const tails: { executionId: string; lines: string[] }[] = [];
    // One worker holds the warm runtime, so globals are shared between the calls.
    const solo = makeRuntime({ PICLOUD_WORKERS: "1" }, {
      onTailConsole: (executionId, lines) => tails.push({ executionId, lines: lines.map((l) => l.message) }),
    });
    try {
      const first = await solo.invoke(s, http({ method: "POST" }), ctx({ executionId: "tail-exec" }));
      expect(text(first)).toBe("queued");
      expect(first.console.map((l) => l.message)).toEqual(["before answer"]);
      // Eventually (the tail runs after the answer); poll rather than guess a delay.
      let seen = "0";
      for (let i = 0; i < 100 && seen !== "1"; i++) {
        await Bun.sleep(50);
        seen = text(await solo.invoke(s, http(), ctx()));
      }
      expect(seen).toBe("1");
      expect(tails).toEqual([{ executionId: "tail-exec", lines: ["in tail"] }]);
    } finally {
      await solo.close();
    }
  });

  test("globals persist between invocations of one warm version, and a new version starts fresh", async () => {
    const solo = makeRuntime({ PICLOUD_WORKERS: "1" });
    try {
      const code = `let n = 0; export default { fetch() { n++; return new Response(String(n)); } }`;
      const v1 = script(code, { id: "persist" });
      expect(text(await solo.invoke(v1, http(), ctx()))).toBe("1");
      expect(text(await solo.invoke(v1, http(), ctx()))).toBe("2");
      const v2 = { ...v1, version: 2 };
      expect(text(await solo.invoke(v2, http(), ctx()))).toBe("1");
    } finally {
      await solo.close();
    }
  });
});

describe("concurrency inside one warm sandbox", () => {
  test("invocations in flight together keep their own ctx and console", async () => {
    const solo = makeRuntime({ PICLOUD_WORKERS: "1" });
    try {
      const s = script(`export default { async fetch(req, ctx) {
        console.log("start " + ctx.params.i);
        await new Promise((r) => setTimeout(r, 30 - Number(ctx.params.i)));
        console.log("end " + ctx.params.i);
        return new Response(ctx.params.i);
      } }`);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => solo.invoke(s, http(), ctx({ params: { i: String(i) } }))));
      results.forEach((r, i) => {
        expect(text(r)).toBe(String(i));
        expect(r.console.map((l) => l.message)).toEqual([`start ${i}`, `end ${i}`]);
      });
      expect(solo.stats().warmRuntimes).toBe(1);
    } finally {
      await solo.close();
    }
  });
});
