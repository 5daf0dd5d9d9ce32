// The shims on both QuickJS builds (DESIGN §1: keep the faster correct one).
import { describe, expect, test } from "bun:test";
import { createSandbox } from "./sandbox.ts";

for (const variant of ["quickjs-ng", "quickjs"] as const) {
  describe(variant, () => {
    test("every global loads and a request/response round trip works", async () => {
      const sb = await createSandbox({ variant });
      try {
        const names = ["Request", "Response", "Headers", "URL", "URLSearchParams", "URLPattern", "TextEncoder", "TextDecoder", "atob", "btoa",
          "crypto", "structuredClone", "AbortController", "AbortSignal", "Event", "EventTarget", "Blob", "File", "FormData", "ReadableStream",
          "WritableStream", "TransformStream", "performance", "fetch", "DOMException"];
        expect(await sb.run(`return ${JSON.stringify(names)}.filter((n) => globalThis[n] === undefined);`)).toEqual([]);
        expect(await sb.run(`const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode("x"));
          const fd = new FormData(); fd.append("a", "b");
          return [new Uint8Array(d)[0], new URL("https://a/b?c=d").searchParams.get("c"), await new Response(fd).formData().then((f) => f.get("a")),
            new URLPattern({ pathname: "/:x" }).exec("https://a/y").pathname.groups.x, structuredClone(new Map([[1, 2]])).get(1)];`))
          .toEqual([45, "d", "b", "y", 2]);
        const fn = sb.evalHandle(`(async (req) => new Response(await req.text() + "!", { headers: { "x-v": req.headers.get("x-v") } }))`);
        const req = sb.bridge.toRequest({ method: "POST", url: "https://x/", headers: [["x-v", "1"]], body: new TextEncoder().encode("hi") });
        const value = sb.ctx.unwrapResult(sb.ctx.callFunction(fn, sb.ctx.undefined, req));
        req.dispose();
        fn.dispose();
        const res = await sb.settle(sb.bridge.fromResponse(value));
        value.dispose();
        expect(new TextDecoder().decode(res.body!)).toBe("hi!");
        expect(res.headers).toEqual([["x-v", "1"], ["content-type", "text/plain;charset=UTF-8"]]);
      } finally {
        sb.dispose();
      }
    });
  });
}
