import { describe, expect, test } from "bun:test";
import { sandboxForFile } from "./sandbox.ts";

const { sb, same } = await sandboxForFile();

/** Where Bun departs from the Fetch standard, the sandbox follows the standard (as Deno does). */
const spec = async (body: string, expected: unknown) => expect(await sb.run(body)).toEqual(expected);

describe("Headers", () => {
  test("case-insensitive get/has/set/delete", () =>
    same(`const h = new Headers({ "Content-Type": "text/html", "X-Foo": " bar  " });
      h.set("x-FOO", "baz"); h.append("Accept", "a"); h.append("accept", "b");
      const r = [h.get("content-type"), h.get("X-FOO"), h.has("ACCEPT"), h.get("accept"), h.get("missing")];
      h.delete("Accept"); r.push(h.has("accept")); return r;`));
  test("set-cookie kept separate, getSetCookie", () =>
    same(`const h = new Headers(); h.append("Set-Cookie", "a=1"); h.append("set-cookie", "b=2");
      return [h.get("set-cookie"), h.getSetCookie()];`));
  test("iteration is sorted and combined like browsers", async () => {
    const r = await sb.run(`const h = new Headers([["X-B","1"],["Set-Cookie","a=1"],["x-a","2"],["set-cookie","b=2"],["x-b","3"]]);
      const keys = []; h.forEach((v, k) => keys.push(k));
      return [[...h], [...h.keys()], [...h.values()], keys];`);
    expect(r).toEqual([
      [["set-cookie", "a=1"], ["set-cookie", "b=2"], ["x-a", "2"], ["x-b", "1, 3"]],
      ["set-cookie", "set-cookie", "x-a", "x-b"],
      ["a=1", "b=2", "2", "1, 3"],
      ["set-cookie", "set-cookie", "x-a", "x-b"],
    ]);
  });
  test("invalid names and values throw TypeError", () =>
    same(`const out = [];
      for (const f of [() => new Headers({ "bad name": "x" }), () => new Headers({ a: "x\\ny" }), () => new Headers().append("", "x")])
        try { f(); out.push("ok"); } catch (e) { out.push(e instanceof TypeError); }
      return out;`));
  test("init from array of pairs and from Headers", () =>
    same(`const a = new Headers([["a", "1"], ["b", "2"]]); const b = new Headers(a); b.set("a", "x");
      return [[...a], [...b]];`));
});

describe("Request", () => {
  test("construct with init, body methods", () =>
    same(`const r = new Request("https://example.com/a/../b?x=1", { method: "post", headers: { "X-A": "1" }, body: "hello" });
      return [r.method, r.url, r.headers.get("x-a"), r.bodyUsed, await r.text(), r.bodyUsed, r.redirect];`));
  test("a string body sets content-type (spec; Bun leaves it unset)", () =>
    spec(`const r = new Request("https://x/", { method: "POST", body: "a" }); return r.headers.get("content-type");`, "text/plain;charset=UTF-8"));
  test("GET with body is a TypeError (spec; Bun allows it); relative URL is a TypeError", () =>
    spec(`const out = [];
      try { new Request("https://x/", { body: "a" }); out.push("ok"); } catch (e) { out.push(e instanceof TypeError); }
      try { new Request("/relative"); out.push("ok"); } catch (e) { out.push(e instanceof TypeError); }
      return out;`, [true, true]));
  test("clone and body reuse", () =>
    same(`const r = new Request("https://x/", { method: "PUT", body: JSON.stringify({ a: 1 }) });
      const c = r.clone(); const a = await r.json(); let again;
      try { await r.text(); again = "ok"; } catch (e) { again = e instanceof TypeError; }
      return [a, await c.text(), again];`));
  test("new Request(request, init) overrides headers and disturbs the input body (spec)", () =>
    spec(`const a = new Request("https://x/p", { method: "POST", body: "b", headers: { a: "1" } });
      const b = new Request(a, { headers: { b: "2" } });
      return [b.method, b.url, [...b.headers], await b.text(), a.bodyUsed];`, ["POST", "https://x/p", [["b", "2"]], "b", true]));
});

describe("Response", () => {
  test("text, status, statusText, ok, default content-type", () =>
    same(`const r = new Response("hi", { status: 201, statusText: "Created" });
      return [r.status, r.statusText, r.ok, await r.text(), r.bodyUsed, r.type, r.redirected, r.url];`));
  test("default content-type is visible in headers (spec)", () =>
    spec(`return new Response("hi").headers.get("content-type");`, "text/plain;charset=UTF-8"));
  test("Response.json with headers", () =>
    same(`const r = Response.json({ a: [1, "x"] }, { status: 404, headers: { "x-y": "z" } });
      return [r.status, r.ok, r.headers.get("x-y"), await r.json()];`));
  test("Response.json content-type is application/json (spec; Bun adds charset)", () =>
    spec(`return [Response.json(1).headers.get("content-type"), Response.json(1, { headers: { "content-type": "x/y" } }).headers.get("content-type")];`, ["application/json", "x/y"]));
  test("Response.redirect and Response.error", () =>
    same(`const r = Response.redirect("https://example.com/x", 307); const e = Response.error();
      let bad; try { Response.redirect("https://x/", 200); } catch (err) { bad = err instanceof RangeError; }
      return [r.status, r.headers.get("location"), e.status, e.type, bad];`));
  test("status validation and null-body statuses (spec; Bun accepts a body with 204)", () =>
    spec(`const out = [];
      for (const f of [() => new Response("x", { status: 99 }), () => new Response("x", { status: 204 }), () => new Response(null, { status: 204 })])
        try { out.push(f().status); } catch (e) { out.push(e.constructor.name); }
      return out;`, ["RangeError", "TypeError", 204]));
  test("binary bodies: arrayBuffer, bytes, Uint8Array subviews", () =>
    same(`const buf = new Uint8Array([0, 1, 2, 3, 250, 255]);
      const r = new Response(buf.subarray(1, 5));
      const ab = await r.clone().arrayBuffer();
      return [ab.byteLength, [...new Uint8Array(ab)], [...(await r.bytes())]];`));
  test("text with NUL and non-ASCII survives", () =>
    same(`const s = "a\\u0000b — ü 😀"; const r = new Response(s);
      return [await r.clone().text(), [...(await r.bytes())]];`));
  test("URLSearchParams body", () =>
    same(`const r = new Response(new URLSearchParams({ a: "1 2", b: "ü" }));
      return [r.headers.get("content-type"), await r.text()];`));
});

describe("URL and URLSearchParams", () => {
  test("parsing, components, relative base", () =>
    same(`const u = new URL("../x/y?q=1#frag", "https://user:pw@Example.COM:8443/a/b/c");
      return [u.href, u.origin, u.protocol, u.username, u.password, u.host, u.hostname, u.port, u.pathname, u.search, u.hash, String(u), JSON.stringify({ u })];`));
  test("setters and searchParams stay linked", () =>
    same(`const u = new URL("https://a.com/p?x=1");
      u.searchParams.append("y", "a b"); u.pathname = "/q r"; u.hash = "h"; u.port = "8080";
      const before = u.href; u.search = "?z=3";
      return [before, u.href, u.searchParams.get("z"), u.searchParams.has("x")];`));
  test("invalid URL, canParse, parse", () =>
    same(`let err; try { new URL("nope"); } catch (e) { err = e instanceof TypeError; }
      return [err, URL.canParse("nope"), URL.canParse("/x", "http://a"), URL.parse("nope"), URL.parse("http://a/b")?.href];`));
  test("URLSearchParams semantics", () =>
    same(`const p = new URLSearchParams("?a=1&b=%20x+y&a=2&c&=e&%E2%82%AC=%F0%9F%98%80");
      const r = [p.get("a"), p.getAll("a"), p.get("b"), p.get("c"), p.get(""), p.get("€"), p.size, p.has("a", "2"), p.has("a", "3")];
      p.delete("a", "1"); p.set("b", "new"); p.append("z", "&=?/ü"); p.sort();
      r.push(p.toString(), [...p], [...p.keys()]);
      r.push(new URLSearchParams([["x", "1"], ["y", "2"]]).toString(), new URLSearchParams({ k: "v w" }).toString());
      return r;`));
});

describe("TextEncoder, TextDecoder, atob, btoa", () => {
  test("round trips", () =>
    same(`const e = new TextEncoder(); const d = new TextDecoder();
      const long = "ü€😀".repeat(50) + "x";
      const lone = "a\\uD800b";
      return [[...e.encode("héllo €😀")], d.decode(e.encode(long)) === long, [...e.encode(lone)], e.encoding, d.encoding,
        d.decode(new Uint8Array([0xEF, 0xBB, 0xBF, 0x68, 0x69])), new TextDecoder("utf-8", { ignoreBOM: true }).decode(new Uint8Array([0xEF, 0xBB, 0xBF, 0x68])).length,
        d.decode(new Uint8Array([0xff, 0x61])), d.decode(), d.decode(new Uint8Array([0x61, 0, 0x62]))];`));
  test("fatal, labels, streaming", () =>
    same(`const out = [];
      try { new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array([0xff])); out.push("ok"); } catch (e) { out.push(e instanceof TypeError); }
      try { new TextDecoder("nope"); out.push("ok"); } catch (e) { out.push(e instanceof RangeError); }
      out.push(new TextDecoder("latin1").encoding, new TextDecoder("utf-16le").decode(new Uint8Array([0x61, 0, 0x62, 0])));
      const d = new TextDecoder(); const bytes = new TextEncoder().encode("€😀");
      let s = ""; for (const b of bytes) s += d.decode(new Uint8Array([b]), { stream: true }); s += d.decode();
      out.push(s);
      const into = new Uint8Array(5); out.push(new TextEncoder().encodeInto("a€😀", into), [...into]);
      return out;`));
  test("atob/btoa including binary and errors", () =>
    same(`const bin = String.fromCharCode(0, 1, 2, 255, 128);
      const out = [btoa("hello"), atob("aGVsbG8="), btoa(bin), atob(btoa(bin)) === bin, atob(" aGk = ")];
      try { btoa("€"); out.push("ok"); } catch (e) { out.push(e.name); }
      try { atob("***"); out.push("ok"); } catch (e) { out.push(e.name); }
      return out;`));
});
