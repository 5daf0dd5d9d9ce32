// The escape and abuse suite of issue #2: each case is contained with the
// right code and the next invocation still succeeds.
import { afterAll, describe, expect, test } from "bun:test";
import { ctx, http, json, makeRuntime, script, text } from "./support.ts";

const rt = makeRuntime();
afterAll(() => rt.close());

const healthy = script(`export default { fetch() { return new Response("still fine"); } }`);
async function expectHealthy(s = healthy) {
  expect(text(await rt.invoke(s, http(), ctx()))).toBe("still fine");
}

describe("no ambient authority", () => {
  test("Bun, process, require, Deno internals and host globals are absent", async () => {
    const s = script(`export default { fetch() {
      const names = ["Bun", "process", "require", "module", "exports", "__dirname", "global", "self", "postMessage", "importScripts", "Worker", "WebAssembly", "std", "os"];
      const seen = Object.fromEntries(names.map((n) => [n, typeof globalThis[n]]));
      let fnCtor;
      try { fnCtor = (function(){}).constructor("return typeof process")(); } catch (e) { fnCtor = "threw"; }
      return Response.json({ seen, fnCtor, keys: Object.getOwnPropertyNames(globalThis).sort() });
    } }`);
    const r = json(await rt.invoke(s, http(), ctx()));
    for (const v of Object.values(r.seen)) expect(v).toBe("undefined");
    expect(r.fnCtor).toBe("undefined");
    expect(r.keys).not.toContain("Bun");
    expect(r.keys).not.toContain("process");
  });

  test('import("fs") and import("node:child_process") reject inside the sandbox', async () => {
    const s = script(`export default { async fetch() {
      const out = [];
      for (const m of ["fs", "node:child_process", "bun:ffi", "https://evil.test/x.js", "./missing.ts"]) {
        try { await import(m); out.push(m + " loaded"); } catch (e) { out.push(m + " refused"); }
      }
      return Response.json(out);
    } }`);
    expect(json(await rt.invoke(s, http(), ctx()))).toEqual([
      "fs refused", "node:child_process refused", "bun:ffi refused", "https://evil.test/x.js refused", "./missing.ts refused",
    ]);
  });

  test("a static import of a host module fails the script, not the host", async () => {
    const s = script(`import fs from "fs"; export default { fetch() { return new Response(typeof fs); } }`);
    const r = await rt.invoke(s, http(), ctx());
    expect(r.ok).toBe(false);
    expect(!r.ok && r.code).toBe("script_error");
    await expectHealthy();
  });
});

describe("prototype tampering", () => {
  test("stays inside the script's own runtime", async () => {
    const evil = script(`
      Object.prototype.polluted = "yes";
      Array.prototype.push = function () { return -1; };
      JSON.stringify = () => "hijacked";
      Promise.prototype.then = function () { throw new Error("no then for you"); };
      export default { fetch() { return new Response("tampered " + ({}).polluted); } }`, { app: { id: "evil-app", slug: "evil" } });
    const first = await rt.invoke(evil, http(), ctx());
    // The platform's marshalling captured its intrinsics before user code ran.
    expect(first.ok).toBe(true);
    expect(text(first)).toBe("tampered yes");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect([1].push(2)).toBe(2);

    const other = script(`export default { fetch() {
      const a = []; a.push(1);
      return Response.json({ polluted: ({}).polluted ?? null, len: a.length, json: JSON.stringify({ ok: 1 }) });
    } }`, { app: { id: "good-app", slug: "good" } });
    expect(json(await rt.invoke(other, http(), ctx()))).toEqual({ polluted: null, len: 1, json: `{"ok":1}` });
  });

  test("two scripts in different apps never see each other's globals", async () => {
    const a = script(`globalThis.secret = "from-a"; export default { fetch() { return new Response(String(globalThis.secret)); } }`, { app: { id: "A", slug: "a" } });
    const b = script(`export default { fetch() { return new Response(String(globalThis.secret)); } }`, { app: { id: "B", slug: "b" } });
    const solo = makeRuntime({ PICLOUD_WORKERS: "1" });
    try {
      expect(text(await solo.invoke(a, http(), ctx()))).toBe("from-a");
      expect(text(await solo.invoke(b, http(), ctx()))).toBe("undefined");
      expect(text(await solo.invoke(a, http(), ctx()))).toBe("from-a");
    } finally {
      await solo.close();
    }
  });
});

describe("limits", () => {
  test("while(true){} is stopped by the CPU budget (507) and the next call works", async () => {
    const s = script(`export default { fetch(req) { if (req.method === "POST") while (true) {} return new Response("still fine"); } }`, { limits: { cpuMs: 100 } });
    const r = await rt.invoke(s, http({ method: "POST" }), ctx());
    expect(r.ok).toBe(false);
    expect(!r.ok && r.code).toBe("budget_exceeded");
    expect(!r.ok && r.message).toContain("CPU budget");
    await expectHealthy(s);
  });

  test("an uncatchable interrupt: try/catch around the loop does not save it", async () => {
    const s = script(`export default { fetch() { try { while (true) {} } catch { return new Response("caught"); } } }`, { limits: { cpuMs: 100 } });
    const r = await rt.invoke(s, http(), ctx());
    expect(!r.ok && r.code).toBe("budget_exceeded");
  });

  test("an endless promise-job loop is stopped too", async () => {
    const s = script(`export default { async fetch() { for (;;) await null; } }`, { limits: { cpuMs: 100 } });
    const r = await rt.invoke(s, http(), ctx());
    expect(!r.ok && r.code).toBe("budget_exceeded");
    await expectHealthy();
  });

  test("a loop with the wall clock shorter than the CPU budget is a timeout (504)", async () => {
    const s = script(`export default { fetch() { while (true) {} } }`, { limits: { cpuMs: 5000, timeoutMs: 150 } });
    const r = await rt.invoke(s, http(), ctx());
    expect(!r.ok && r.code).toBe("timeout");
  });

  test("waiting past the wall clock is a timeout (504) and pending timers die with it", async () => {
    const s = script(`export default { async fetch() { await new Promise((r) => setTimeout(r, 60_000)); return new Response("late"); } }`, { limits: { timeoutMs: 150 } });
    const r = await rt.invoke(s, http(), ctx());
    expect(!r.ok && r.code).toBe("timeout");
    await expectHealthy();
  });

  test("allocating until the memory limit is a 507 and the next call works", async () => {
    const s = script(`export default { fetch(req) {
      if (req.method === "GET") return new Response("still fine");
      const keep = []; for (;;) keep.push(new ArrayBuffer(256 * 1024));
    } }`, { limits: { memoryMb: 16, cpuMs: 10_000 } });
    const r = await rt.invoke(s, http({ method: "POST" }), ctx());
    expect(r.ok).toBe(false);
    expect(!r.ok && r.code).toBe("budget_exceeded");
    expect(!r.ok && r.message).toContain("memory limit");
    await expectHealthy(s);
  });

  test("deep recursion is a script error (502) with a bounded stack", async () => {
    const s = script(`function f(n) { return f(n + 1) + 1; } export default { fetch() { return new Response(String(f(0))); } }`);
    const r = await rt.invoke(s, http(), ctx());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe("script_error");
    expect(r.message).toMatch(/stack/i);
    expect((r.stack ?? "").length).toBeLessThanOrEqual(4096);
    await expectHealthy();
  });

  test("a thrown error is a script error with message and stack", async () => {
    const s = script(`function boom() { throw new TypeError("bad thing"); } export default { fetch() { boom(); } }`);
    const r = await rt.invoke(s, http(), ctx());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe("script_error");
    expect(r.message).toBe("TypeError: bad thing");
    expect(r.stack).toContain("boom");
  });

  test("a response body over responseBodyBytes is a script error that says so", async () => {
    const s = script(`export default { fetch() { return new Response("x".repeat(2000)); } }`, { limits: { responseBodyBytes: 1000 } });
    const r = await rt.invoke(s, http(), ctx());
    expect(!r.ok && r.code).toBe("script_error");
    expect(!r.ok && r.message).toContain("responseBodyBytes");
  });

  test("a request body over requestBodyBytes is refused before the sandbox", async () => {
    const s = script(`export default { fetch() { return new Response("ran"); } }`, { limits: { requestBodyBytes: 10 } });
    const r = await rt.invoke(s, http({ method: "POST", body: new Uint8Array(11) }), ctx());
    expect(!r.ok && r.code).toBe("body_too_large");
  });

  test("100 MB of console output is capped with one truncation marker", async () => {
    const s = script(`export default { fetch() {
      const mb = "x".repeat(1024 * 1024);
      for (let i = 0; i < 100; i++) console.log(mb);
      console.error("after");
      return new Response("done");
    } }`, { limits: { consoleBytes: 4096, cpuMs: 10_000 } });
    const r = await rt.invoke(s, http(), ctx());
    expect(text(r)).toBe("done");
    expect(r.consoleTruncated).toBe(true);
    const total = r.console.reduce((n, l) => n + l.message.length, 0);
    expect(total).toBeLessThan(4096 + 200);
    expect(r.console.filter((l) => l.message.includes("truncated"))).toHaveLength(1);
  });
});

describe("console", () => {
  test("captures level, timestamp and formatted arguments", async () => {
    const s = script(`export default { fetch() {
      console.log("a", 1, { b: [2] }); console.info("i"); console.warn("w"); console.error(new Error("e")); console.debug("d");
      return new Response("");
    } }`);
    const before = Date.now();
    const r = await rt.invoke(s, http(), ctx());
    expect(r.console.map((l) => l.level)).toEqual(["log", "info", "warn", "error", "debug"]);
    expect(r.console[0]!.message).toBe(`a 1 {"b":[2]}`);
    expect(r.console[3]!.message).toStartWith("Error: e");
    for (const l of r.console) expect(l.ts).toBeGreaterThanOrEqual(before - 5);
  });
});

describe("timers", () => {
  test("setTimeout, clearTimeout, setInterval and queueMicrotask inside one invocation", async () => {
    const s = script(`export default { async fetch() {
      const order = [];
      queueMicrotask(() => order.push("micro"));
      const cancelled = setTimeout(() => order.push("cancelled"), 5);
      clearTimeout(cancelled);
      await new Promise((r) => setTimeout(() => { order.push("timeout"); r(); }, 10));
      await new Promise((r) => { let n = 0; const id = setInterval(() => { order.push("tick"); if (++n === 3) { clearInterval(id); r(); } }, 5); });
      return Response.json(order);
    } }`);
    expect(json(await rt.invoke(s, http(), ctx()))).toEqual(["micro", "timeout", "tick", "tick", "tick"]);
  });

  test("timers still pending when the invocation ends are cancelled", async () => {
    const solo = makeRuntime({ PICLOUD_WORKERS: "1" });
    try {
      const s = script(`globalThis.fired = 0; export default { fetch(req) {
        if (req.method === "POST") { setTimeout(() => { globalThis.fired++; }, 30); setInterval(() => { globalThis.fired++; }, 10); return new Response("set"); }
        return new Response(String(globalThis.fired));
      } }`);
      expect(text(await solo.invoke(s, http({ method: "POST" }), ctx()))).toBe("set");
      await Bun.sleep(120);
      expect(text(await solo.invoke(s, http(), ctx()))).toBe("0");
    } finally {
      await solo.close();
    }
  });
});

describe("gate and supervision", () => {
  test("a full gate answers gate_full at once, with no queue", async () => {
    const gated = makeRuntime({ PICLOUD_MAX_CONCURRENT_EXECUTIONS: "1" });
    try {
      const slow = script(`export default { async fetch() { await new Promise((r) => setTimeout(r, 300)); return new Response("slow"); } }`);
      const first = gated.invoke(slow, http(), ctx());
      const second = await gated.invoke(slow, http(), ctx());
      expect(second.ok).toBe(false);
      expect(!second.ok && second.code).toBe("gate_full");
      expect(text(await first)).toBe("slow");
      expect(text(await gated.invoke(slow, http(), ctx()))).toBe("slow");
    } finally {
      await gated.close();
    }
  });

  test("a hung worker is terminated and replaced; its call ends, the next one works", async () => {
    // Budgets generous enough for a loaded CI box; the hang outlasts them by far.
    const solo = makeRuntime({ PICLOUD_WORKERS: "1" }, { graceMs: 500 });
    try {
      const s = script(`export default { fetch() { return new Response("still fine"); } }`, { limits: { timeoutMs: 1000 } });
      expect(text(await solo.invoke(s, http(), ctx()))).toBe("still fine");
      solo.hangWorker(0, 20_000);
      const stuck = await solo.invoke(s, http(), ctx());
      expect(stuck.ok).toBe(false);
      expect(!stuck.ok && stuck.code).toBe("timeout");
      expect(solo.stats().restarts).toBe(1);
      expect(text(await solo.invoke(s, http(), ctx()))).toBe("still fine");
    } finally {
      await solo.close();
    }
  });
});

describe("outbound fetch over RPC", () => {
  test("goes to the main thread with the invocation's identity and respects concurrentFetches", async () => {
    let inFlight = 0;
    let peak = 0;
    const callers: unknown[] = [];
    const withFetch = makeRuntime({}, {
      fetch: async (req, caller) => {
        callers.push(caller);
        inFlight++;
        peak = Math.max(peak, inFlight);
        await Bun.sleep(20);
        inFlight--;
        return { status: 200, statusText: "OK", headers: [["x-url", req.url]], body: new TextEncoder().encode(`echo ${req.method}`) };
      },
    });
    try {
      const s = script(`export default { async fetch() {
        const rs = await Promise.all([1, 2, 3, 4, 5].map((i) => fetch("https://example.test/" + i, { method: "PUT" })));
        return Response.json(await Promise.all(rs.map(async (r) => r.status + " " + (await r.text()) + " " + r.headers.get("x-url"))));
      } }`, { app: { id: "app-x", slug: "x" }, limits: { concurrentFetches: 2 } });
      const r = await withFetch.invoke(s, http(), ctx({ executionId: "exec-42" }));
      expect(json(r)).toEqual([1, 2, 3, 4, 5].map((i) => `200 echo PUT https://example.test/${i}`));
      expect(peak).toBe(2);
      expect(callers[0]).toEqual({ appId: "app-x", scriptId: s.id, executionId: "exec-42", principal: null });
    } finally {
      await withFetch.close();
    }
  });

  test("a fetch answering after its invocation timed out harms nothing", async () => {
    const slowFetch = makeRuntime({ PICLOUD_WORKERS: "1" }, {
      fetch: async (req, _caller, signal) => {
        await Bun.sleep(400);
        return { status: 200, statusText: "OK", headers: [], body: new TextEncoder().encode(signal?.aborted ? "aborted" : "late") };
      },
    });
    try {
      const s = script(`export default { async fetch(req) {
        if (req.method === "GET") return new Response("still fine");
        const r = await fetch("https://example.test/slow");
        return new Response(await r.text());
      } }`, { limits: { timeoutMs: 150 } });
      const r = await slowFetch.invoke(s, http({ method: "POST" }), ctx());
      expect(!r.ok && r.code).toBe("timeout");
      await Bun.sleep(500);
      expect(text(await slowFetch.invoke(s, http(), ctx()))).toBe("still fine");
      expect(slowFetch.stats().restarts).toBe(0);
    } finally {
      await slowFetch.close();
    }
  });

  test("a refused fetch rejects inside the script with the reason", async () => {
    const s = script(`export default { async fetch() { try { await fetch("http://127.0.0.1/"); return new Response("fetched"); } catch (e) { return new Response(String(e.message)); } } }`);
    const refusing = makeRuntime({}, { fetch: async () => { throw new Error("refused: loopback address"); } });
    try {
      expect(text(await refusing.invoke(s, http(), ctx()))).toContain("refused: loopback address");
    } finally {
      await refusing.close();
    }
  });
});

describe("the default guarded fetch", () => {
  test("refuses loopback without connecting, naming the category, and the script goes on", async () => {
    const s = script(`export default { async fetch() {
      const out = [];
      for (const u of ["http://127.0.0.1:9/", "http://[::1]:9/", "http://localhost:9/", "file:///etc/passwd"]) {
        try { await fetch(u); out.push("fetched"); } catch (e) { out.push(e.name + ": " + e.message); }
      }
      return Response.json(out);
    } }`);
    const out = json(await rt.invoke(s, http(), ctx())) as string[];
    expect(out).toHaveLength(4);
    for (const line of out) expect(line).toStartWith("TypeError");
    expect(out[0]).toContain("loopback");
    expect(out[1]).toContain("loopback");
    expect(out[2]).toContain("loopback");
    for (const line of out) expect(line).not.toContain("127.0.0.1:9");
  });
});
