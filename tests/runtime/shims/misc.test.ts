// Events and abort, structuredClone, URLPattern, performance, DOMException.
import { describe, expect, test } from "bun:test";
import { sandboxForFile } from "./sandbox.ts";

const { sb, same } = await sandboxForFile();

describe("Event and EventTarget", () => {
  test("listeners, once, handleEvent objects, removal, preventDefault, stopImmediatePropagation", () =>
    same(`const t = new EventTarget(); const log = [];
      const f = (e) => log.push("f:" + e.type); t.addEventListener("x", f); t.addEventListener("x", f);
      t.addEventListener("x", { handleEvent(e) { log.push("obj:" + (e.target === t)); } });
      t.addEventListener("x", () => log.push("once"), { once: true });
      t.dispatchEvent(new Event("x")); t.removeEventListener("x", f); t.dispatchEvent(new Event("x"));
      const c = new Event("c", { cancelable: true }); t.addEventListener("c", (e) => { e.preventDefault(); e.stopImmediatePropagation(); });
      t.addEventListener("c", () => log.push("never"));
      const res = t.dispatchEvent(c);
      const ce = new CustomEvent("d", { detail: { n: 1 } });
      return [log, res, c.defaultPrevented, ce.detail, ce instanceof Event, Event.AT_TARGET];`));
});

describe("AbortController and AbortSignal", () => {
  test("abort reason, onabort, event, throwIfAborted, AbortSignal.abort/any", () =>
    same(`const c = new AbortController(); const log = [];
      c.signal.onabort = () => log.push("onabort"); c.signal.addEventListener("abort", (e) => log.push(e.type));
      const before = c.signal.aborted; c.abort("why"); c.abort("again");
      let thrown; try { c.signal.throwIfAborted(); } catch (e) { thrown = e; }
      const d = new AbortController(); d.abort(); const s = AbortSignal.abort();
      const any = AbortSignal.any([new AbortController().signal, c.signal]);
      return [before, c.signal.aborted, c.signal.reason, log, thrown, d.signal.reason.name, s.reason instanceof DOMException, any.aborted, any.reason];`));
  test("a listener's signal option removes it on abort", () =>
    same(`const t = new EventTarget(); const c = new AbortController(); let n = 0;
      t.addEventListener("x", () => n++, { signal: c.signal }); t.dispatchEvent(new Event("x")); c.abort(); t.dispatchEvent(new Event("x"));
      return n;`));
});

describe("structuredClone", () => {
  test("deep values, cycles, Map/Set/Date/RegExp/typed arrays/errors", () =>
    same(`const o = { a: [1, { b: "x" }], d: new Date(5), r: /a+/gi, m: new Map([[1, { z: 1 }]]), s: new Set(["q"]), u: new Uint16Array([1, 2]), e: new RangeError("bad"), n: null, und: undefined, big: 10n };
      o.self = o; const c = structuredClone(o);
      return [c !== o, c.self === c, c.a[1].b, c.d.getTime(), c.r.source + c.r.flags, c.m.get(1).z, [...c.s], [...c.u], c.u.constructor.name,
        c.e instanceof RangeError, c.e.message, c.n, "und" in c, String(c.big), c.a !== o.a];`));
  test("functions and symbols are DataCloneError", () =>
    same(`const out = []; for (const v of [() => 1, Symbol("s"), { f() {} }]) try { structuredClone(v); out.push("ok"); } catch (e) { out.push(e.name); }
      return out;`));
});

describe("URLPattern", () => {
  test("pathname groups, wildcards, full URLs, test/exec", () =>
    same(`const p = new URLPattern({ pathname: "/books/:id(\\\\d+)/:rest*" });
      const q = new URLPattern("https://:sub.example.com/a/*");
      const e = p.exec("https://x.com/books/42/a/b");
      return [p.test("https://x.com/books/42"), p.test("https://x.com/books/abc"), e.pathname.groups, e.pathname.input,
        q.exec("https://api.example.com/a/b/c").hostname.groups, q.test({ hostname: "www.example.com", pathname: "/a/z", protocol: "https" }),
        p.pathname, q.hostname, q.protocol, p.hasRegExpGroups, p.exec("https://x.com/nope")];`));
  test("base URL, ignoreCase and errors", () =>
    same(`const p = new URLPattern("/users/:name", "https://example.com"); const i = new URLPattern({ pathname: "/ABC" }, { ignoreCase: true });
      let err; try { new URLPattern({ pathname: "/(" }); } catch (e) { err = e instanceof TypeError; }
      return [p.test("https://example.com/users/ann"), p.exec("https://example.com/users/ann").pathname.groups.name, i.test("https://x/abc"), err];`));
});

describe("performance, DOMException, globals", () => {
  test("performance.now is monotonic and sub-millisecond", async () => {
    const r = (await sb.run(`const a = performance.now(); let x = 0; for (let i = 0; i < 1e4; i++) x += i; const b = performance.now();
      return [typeof a, b >= a, a >= 0, typeof performance.timeOrigin, performance.timeOrigin > 1.6e12];`)) as unknown[];
    expect(r).toEqual(["number", true, true, "number", true]);
  });
  test("DOMException", () =>
    same(`const e = new DOMException("m", "AbortError"); return [e.name, e.message, e.code, e instanceof Error, String(e), new DOMException().name];`));
  test("globals are non-enumerable and replaceable, like WebIDL in browsers (Bun enumerates them)", async () => {
    const names = ["Request", "Response", "Headers", "URL", "TextEncoder", "Blob", "fetch", "crypto"];
    expect(await sb.run(`return ${JSON.stringify(names)}.map((n) => { const d = Object.getOwnPropertyDescriptor(globalThis, n); return [n, d.enumerable, d.configurable]; });`))
      .toEqual(names.map((n) => [n, false, true]));
  });
  test("no host objects leak into the sandbox", async () => {
    expect(await sb.run(`return [typeof Bun, typeof process, typeof require, typeof __picloud, Object.keys(globalThis).filter((k) => !["console", "setTimeout"].includes(k))];`))
      .toEqual(["undefined", "undefined", "undefined", "undefined", []]);
  });
});
