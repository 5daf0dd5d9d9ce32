// Blob, File, FormData (urlencoded and multipart), streams and stream bodies.
import { describe, expect, test } from "bun:test";
import { sandboxForFile } from "./sandbox.ts";

const { sb, same } = await sandboxForFile();

describe("Blob and File", () => {
  test("parts, size, type, slice, text, bytes", () =>
    same(`const b = new Blob(["héllo ", new Uint8Array([119, 111]), new Blob(["rld"])], { type: "Text/Plain" });
      const s = b.slice(1, -2, "x/y"); const f = new File(["abc"], "a.png", { type: "image/png", lastModified: 42 });
      return [b.size, b.type, await b.text(), s.size, s.type, await s.text(), [...(await b.slice(-3).bytes())],
        f.name, f.size, f.type, f.lastModified, f instanceof Blob, (await f.arrayBuffer()).byteLength];`));
  test("File toStringTag and Blob-to-File names follow the spec (Bun differs)", async () =>
    expect(await sb.run(`const fd = new FormData(); fd.append("g", new Blob(["z"]));
      return [Object.prototype.toString.call(new File([], "x")), fd.get("g").name, new File(["a"], "a.txt", { type: "text/plain" }).type];`))
      .toEqual(["[object File]", "blob", "text/plain"]));
  test("blob.stream() and Response(blob)", () =>
    same(`const b = new Blob(["stream me"], { type: "text/x" }); const r = new Response(b);
      const reader = b.stream().getReader(); let out = ""; for (;;) { const { value, done } = await reader.read(); if (done) break; out += new TextDecoder().decode(value); }
      return [out, r.headers.get("content-type"), await r.text(), await (await new Response("x").blob()).text()];`));
});

describe("FormData", () => {
  test("API: append, set, get, getAll, delete, iteration, files", () =>
    same(`const fd = new FormData(); fd.append("a", "1"); fd.append("a", "2"); fd.set("b", "x"); fd.append("f", new Blob(["data"], { type: "image/png" }), "d.png");
      fd.append("g", new Blob(["z"]), "g.bin");
      const f = fd.get("f"); const g = fd.get("g");
      const r = [fd.get("a"), fd.getAll("a"), fd.has("b"), f.name, f.type, await f.text(), g.name, [...fd.keys()]];
      fd.delete("a"); r.push([...fd.keys()]); return r;`));
  test("urlencoded body → formData()", () =>
    same(`const r = new Request("https://x/", { method: "POST", body: new URLSearchParams("a=1&b=%C3%BC+x&a=3") });
      const fd = await r.formData(); return [...fd];`));
  test("multipart round trip through a Request body", () =>
    same(`const fd = new FormData(); fd.append("name", "ü \\"quoted\\""); fd.append("file", new File([new Uint8Array([0, 1, 2, 255])], "bin.dat", { type: "image/png" }));
      fd.append("multi", "line1\\nline2");
      const req = new Request("https://x/", { method: "POST", body: fd });
      const ct = req.headers.get("content-type");
      const back = await req.formData(); const file = back.get("file");
      return [ct.startsWith("multipart/form-data; boundary="), back.get("name"), back.get("multi"), file.name, [...(await file.bytes())]];`));
  test("multipart from a hand-written body (as a browser sends it)", async () => {
    const body = [
      "--XyZ", 'Content-Disposition: form-data; name="title"', "", "Hello ü", 
      "--XyZ", 'Content-Disposition: form-data; name="upload"; filename="notes.txt"', "Content-Type: image/svg+xml", "", "line1\r\nline2",
      "--XyZ--", "",
    ].join("\r\n");
    const code = `const req = new Request("https://x/", { method: "POST", headers: { "content-type": "multipart/form-data; boundary=XyZ" }, body: ${JSON.stringify(body)} });
      const fd = await req.formData(); const f = fd.get("upload");
      return [fd.get("title"), f.name, await f.text(), [...fd.keys()]];`;
    await same(code);
    expect(await sb.run(code.replace("f.name,", "f.type,"))).toEqual(["Hello ü", "image/svg+xml", "line1\r\nline2", ["title", "upload"]]);
  });
  test("malformed multipart and unsupported content type reject with TypeError", () =>
    same(`const out = [];
      for (const [ct, body] of [["multipart/form-data; boundary=nope", "garbage"], ["application/json", "{}"]]) {
        try { await new Response(body, { headers: { "content-type": ct } }).formData(); out.push("ok"); } catch (e) { out.push(e instanceof TypeError); }
      }
      return out;`));
});

describe("ReadableStream", () => {
  test("reader.read() over enqueued chunks, then done", () =>
    same(`const s = new ReadableStream({ start(c) { c.enqueue("a"); c.enqueue("b"); c.close(); } });
      const r = s.getReader(); const out = [s.locked];
      for (;;) { const { value, done } = await r.read(); out.push([value, done]); if (done) break; }
      r.releaseLock(); out.push(s.locked); return out;`));
  test("pull-based source and async iteration", () =>
    same(`let i = 0; const s = new ReadableStream({ pull(c) { if (i < 3) c.enqueue(i++); else c.close(); } });
      const out = []; for await (const v of s) out.push(v); return out;`));
  test("Response with a stream body: text(), body.getReader(), bodyUsed", () =>
    same(`const enc = new TextEncoder();
      const mk = () => new ReadableStream({ start(c) { c.enqueue(enc.encode("hel")); c.enqueue(enc.encode("lo")); c.close(); } });
      const r1 = new Response(mk()); const t = await r1.text();
      const r2 = new Response("body"); const reader = r2.body.getReader(); const first = await reader.read();
      const r3 = new Response(mk()); let locked; const rd = r3.body.getReader(); try { await r3.text(); locked = "ok"; } catch (e) { locked = e instanceof TypeError; }
      return [t, r1.bodyUsed, new TextDecoder().decode(first.value), r2.bodyUsed, locked, new Response(null).body];`));
  test("tee and clone of a stream body", () =>
    same(`const s = new ReadableStream({ start(c) { c.enqueue(new Uint8Array([1, 2])); c.enqueue(new Uint8Array([3])); c.close(); } });
      const r = new Response(s); const c = r.clone();
      const [a, b] = new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); c.close(); } }).tee();
      const read = async (st) => { const o = []; for await (const v of st) o.push(v); return o; };
      return [[...(await r.bytes())], [...(await c.bytes())], await read(a), await read(b)];`));
  test("errors propagate to read() and to body consumers", () =>
    same(`const s = new ReadableStream({ start(c) { c.error(new TypeError("boom")); } });
      let e1; try { await s.getReader().read(); } catch (e) { e1 = e.message; }
      let e2; try { await new Response(new ReadableStream({ pull() { throw new RangeError("pull failed"); } })).text(); } catch (e) { e2 = e.message; }
      return [e1, e2];`));
  test("cancel, ReadableStream.from", () =>
    same(`let reason; const s = new ReadableStream({ cancel(r) { reason = r; } }); await s.cancel("stop");
      const out = []; for await (const v of ReadableStream.from([1, 2, 3])) out.push(v);
      return [reason, out];`));
  test("TransformStream, pipeThrough, TextEncoderStream/TextDecoderStream, WritableStream", () =>
    same(`const upper = new TransformStream({ transform(chunk, c) { c.enqueue(chunk.toUpperCase()); } });
      const src = new ReadableStream({ start(c) { c.enqueue("ab"); c.enqueue("cd"); c.close(); } });
      const out = []; for await (const v of src.pipeThrough(upper)) out.push(v);
      const bytes = new ReadableStream({ start(c) { c.enqueue("héllo"); c.close(); } }).pipeThrough(new TextEncoderStream()).pipeThrough(new TextDecoderStream());
      let text = ""; for await (const v of bytes) text += v;
      const seen = []; const ws = new WritableStream({ write(c) { seen.push(c); } });
      await new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); c.close(); } }).pipeTo(ws);
      const w2 = new WritableStream({ write(c) { seen.push("w" + c); } }).getWriter(); await w2.write(3); await w2.close();
      return [out, text, seen];`));
  test("a TransformStream's readable as a Response body", () =>
    same(`const { readable, writable } = new TransformStream(); const w = writable.getWriter();
      const enc = new TextEncoder(); w.write(enc.encode("x")); w.write(enc.encode("y")); w.close();
      return await new Response(readable).text();`));
});
