// Edge cases across APIs: piping bodies, timers-backed signals, lazy globals.
import { describe, expect, test } from "bun:test";
import { createSandbox, sandboxForFile } from "./sandbox.ts";

const { sb, same } = await sandboxForFile();

describe("edge cases", () => {
  test("a request body stream proxied into a response", () =>
    same(`const req = new Request("https://x/", { method: "POST", body: "proxied" });
      const res = new Response(req.body, { headers: { "content-type": "text/x" } });
      return [req.bodyUsed, await res.text(), req.bodyUsed];`));
  test("AbortSignal.timeout aborts with a TimeoutError through the runtime's setTimeout", async () => {
    expect(await sb.run(`const saved = globalThis.setTimeout; let ms;
      globalThis.setTimeout = (fn, delay) => { ms = delay; fn(); return 1; };
      try { const s = AbortSignal.timeout(25); return [s.aborted, s.reason.name, ms]; } finally { globalThis.setTimeout = saved; }`))
      .toEqual([true, "TimeoutError", 25]);
  });
  test("lazy globals can be replaced and deleted before first use", async () => {
    const own = await createSandbox();
    try {
      expect(await own.run(`globalThis.Blob = 1; delete globalThis.FormData; return [Blob, typeof FormData, typeof URLPattern];`)).toEqual([1, "undefined", "function"]);
    } finally {
      own.dispose();
    }
  });
  test("Headers from Request/Response share nothing with their source", () =>
    same(`const h = new Headers({ a: "1" }); const r = new Response("x", { headers: h }); h.set("a", "2");
      const q = new Request("https://x/", { headers: h }); q.headers.set("b", "3");
      return [r.headers.get("a"), q.headers.get("a"), h.has("b")];`));
  test("toStringTag of the main classes", () =>
    same(`return [new Headers(), new Request("https://x/"), new Response(), new URL("https://x/"), new URLSearchParams(), new TextEncoder(),
      new Blob([]), new FormData(), new ReadableStream(), new AbortController()].map((o) => Object.prototype.toString.call(o));`));
  test("empty and large bodies", () =>
    same(`const big = "x".repeat(200000) + "ü"; const r = new Response(big); const e = new Response("");
      return [(await r.clone().text()).length, (await r.bytes()).length, await e.text(), (await new Response(new Uint8Array(0)).arrayBuffer()).byteLength];`));
  test("Response.json of non-serializable values throws", () =>
    same(`const out = []; for (const v of [undefined, () => 1]) try { Response.json(v); out.push("ok"); } catch (e) { out.push(e instanceof TypeError); }
      try { const o = {}; o.o = o; Response.json(o); out.push("ok"); } catch (e) { out.push(e instanceof TypeError); }
      return out;`));
});
