// End-to-end checks of the outbound fetch guard against real servers on
// loopback only (team rule): refusals are proven on 127.0.0.1 / ::1 / localhost.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { PicloudError } from "../../src/errors.ts";
import { guardedFetch, MAX_REDIRECTS, type GuardedFetchOptions } from "../../src/runtime/fetch-guard.ts";
import type { WireRequest } from "../../src/runtime/worker/shims/index.ts";

type Server = ReturnType<typeof Bun.serve>;
let v4: Server;
let v6: Server | null = null;
const hits: string[] = [];

const handler = async (req: Request): Promise<Response> => {
  const url = new URL(req.url);
  hits.push(url.pathname);
  switch (url.pathname) {
    case "/echo":
      return Response.json({
        method: req.method,
        host: req.headers.get("host"),
        auth: req.headers.get("authorization"),
        body: req.body ? await req.text() : null,
      });
    case "/big":
      return new Response(new Uint8Array(64 * 1024).fill(97));
    case "/stream": {
      // Chunked, no Content-Length: the cap must be enforced while streaming.
      let sent = 0;
      return new Response(
        new ReadableStream({
          pull(controller) {
            if (sent >= 1024 * 1024) return controller.close();
            sent += 8192;
            controller.enqueue(new Uint8Array(8192).fill(98));
          },
        }),
      );
    }
    case "/gzip-bomb":
      // 4 MB of zeros compress to a few KB: the cap counts decoded bytes.
      return new Response(Bun.gzipSync(new Uint8Array(4 * 1024 * 1024)), { headers: { "content-encoding": "gzip" } });
    case "/gzip":
      return new Response(Bun.gzipSync(new TextEncoder().encode("hello gzip")), { headers: { "content-encoding": "gzip", "x-kind": "gz" } });
    case "/hang":
      await Bun.sleep(10_000);
      return new Response("late");
    case "/hang-body":
      return new Response(
        new ReadableStream({
          async start(controller) {
            controller.enqueue(new TextEncoder().encode("first"));
            await Bun.sleep(10_000);
            controller.close();
          },
        }),
      );
    case "/cookies": {
      const headers = new Headers();
      headers.append("set-cookie", "a=1");
      headers.append("set-cookie", "b=2");
      return new Response("c", { headers });
    }
    case "/chain": {
      const n = Number(url.searchParams.get("n"));
      return n > 0 ? Response.redirect(`/chain?n=${n - 1}`, 302) : new Response("end of chain");
    }
    case "/redirect": {
      const status = Number(url.searchParams.get("status") ?? 302);
      return new Response(null, { status, headers: { location: url.searchParams.get("to")! } });
    }
    default:
      return new Response("ok");
  }
};

beforeAll(() => {
  v4 = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handler, idleTimeout: 30 });
  try {
    v6 = Bun.serve({ hostname: "::1", port: 0, fetch: handler, idleTimeout: 30 });
  } catch {
    console.warn("::1 is not available here: the IPv6 loopback fetch that must succeed is skipped");
  }
});
afterAll(() => {
  v4.stop(true);
  v6?.stop(true);
});

const base = (): GuardedFetchOptions => ({ allowPrivate: false, maxResponseBytes: 1024 * 1024, timeoutMs: 5000 });
const allow = (extra: Partial<GuardedFetchOptions> = {}): GuardedFetchOptions => ({ ...base(), allowPrivate: true, ...extra });
const get = (url: string, headers: [string, string][] = []): WireRequest => ({ method: "GET", url, headers, body: null });

async function rejection(p: Promise<unknown>): Promise<PicloudError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(PicloudError);
    return err as PicloudError;
  }
  throw new Error("expected the fetch to be refused");
}

describe("refusals on loopback", () => {
  const urls = () => [`http://127.0.0.1:${v4.port}/echo`, `http://localhost:${v4.port}/echo`, `http://[::1]:${v6?.port ?? v4.port}/echo`];

  test("127.0.0.1, localhost and [::1] are refused as loopback, before any connection", async () => {
    hits.length = 0;
    for (const url of urls()) {
      const err = await rejection(guardedFetch(get(url), base()));
      expect(err.message).toBe("fetch refused: destination is a loopback address");
      expect(err.details).toMatchObject({ reason: "refused", category: "loopback" });
      expect(err.code).toBe("forbidden");
      expect(err.message).not.toContain("127.0.0.1");
      expect(err.message).not.toContain("::1");
    }
    expect(hits).toEqual([]);
  });

  test("other spellings of loopback are refused too", async () => {
    for (const url of [
      `http://2130706433:${v4.port}/`, // decimal 127.0.0.1
      `http://0x7f.1:${v4.port}/`,
      `http://127.1:${v4.port}/`,
      `http://[::ffff:127.0.0.1]:${v4.port}/`,
      `http://LOCALHOST:${v4.port}/`,
    ]) {
      const err = await rejection(guardedFetch(get(url), base()));
      expect(err.details.category).toBe("loopback");
    }
  });

  test("a hostname resolving to loopback is refused (custom lookup)", async () => {
    const err = await rejection(guardedFetch(get(`http://looks-public.test:${v4.port}/`), { ...base(), lookup: async () => ["127.0.0.1"] }));
    expect(err.details.category).toBe("loopback");
  });

  test("a hostname with one public and one private address is refused", async () => {
    const err = await rejection(
      guardedFetch(get(`http://mixed.test:${v4.port}/`), { ...base(), lookup: async () => ["1.1.1.1", "10.0.0.1"] }),
    );
    expect(err.details.category).toBe("private");
  });

  test("only http and https", async () => {
    for (const url of ["file:///etc/passwd", "ftp://127.0.0.1/", "data:text/plain,hi", "ws://127.0.0.1/"]) {
      const err = await rejection(guardedFetch(get(url), allow()));
      expect(err.details.reason).toBe("invalid_url");
    }
    const err = await rejection(guardedFetch(get("not a url"), allow()));
    expect(err.details.reason).toBe("invalid_url");
  });

  test("CONNECT, TRACE and TRACK are refused", async () => {
    for (const method of ["CONNECT", "trace", "TRACK"]) {
      const err = await rejection(guardedFetch({ method, url: `http://127.0.0.1:${v4.port}/echo`, headers: [], body: null }, allow()));
      expect(err.details.reason).toBe("invalid_method");
    }
  });

  test("an unresolvable name fails without leaking anything", async () => {
    const err = await rejection(guardedFetch(get("http://nothing.invalid/"), base()));
    expect(err.details.reason).toBe("network");
    expect(err.message).toBe("fetch failed: could not resolve nothing.invalid");
  });
});

describe("with PICLOUD_HTTP_ALLOW_PRIVATE", () => {
  test("127.0.0.1, localhost and [::1] work", async () => {
    for (const url of [`http://127.0.0.1:${v4.port}/echo`, `http://localhost:${v4.port}/echo`]) {
      const res = await guardedFetch(get(url), allow());
      expect(res.status).toBe(200);
      expect(JSON.parse(new TextDecoder().decode(res.body!)).method).toBe("GET");
      expect(res.redirected).toBe(false);
    }
    if (v6) {
      const res = await guardedFetch(get(`http://[::1]:${v6.port}/echo`), allow());
      expect(res.status).toBe(200);
    }
  });

  test("connects to the address it checked, with the original Host header", async () => {
    let calls = 0;
    const res = await guardedFetch(get(`http://pinned.test:${v4.port}/echo`, [["host", "evil.example"]]), {
      ...allow(),
      lookup: async () => (calls++ === 0 ? ["127.0.0.1"] : ["10.0.0.1"]),
    });
    const echo = JSON.parse(new TextDecoder().decode(res.body!));
    expect(echo.host).toBe(`pinned.test:${v4.port}`);
    expect(calls).toBe(1);
  });

  test("POST bodies and methods pass through", async () => {
    const res = await guardedFetch(
      { method: "POST", url: `http://127.0.0.1:${v4.port}/echo`, headers: [["content-type", "text/plain"]], body: new TextEncoder().encode("payload") },
      allow(),
    );
    expect(JSON.parse(new TextDecoder().decode(res.body!))).toMatchObject({ method: "POST", body: "payload" });
  });

  test("a decompressed body loses its content-encoding; set-cookie stays multi-valued", async () => {
    const gz = await guardedFetch(get(`http://127.0.0.1:${v4.port}/gzip`), allow());
    expect(new TextDecoder().decode(gz.body!)).toBe("hello gzip");
    expect(gz.headers.find(([n]) => n === "content-encoding")).toBeUndefined();
    expect(gz.headers.find(([n]) => n === "x-kind")).toEqual(["x-kind", "gz"]);
    const c = await guardedFetch(get(`http://127.0.0.1:${v4.port}/cookies`), allow());
    expect(c.headers.filter(([n]) => n === "set-cookie").map(([, v]) => v)).toEqual(["a=1", "b=2"]);
  });
});

describe("caps", () => {
  test("a body over the cap (Content-Length) is refused", async () => {
    const err = await rejection(guardedFetch(get(`http://127.0.0.1:${v4.port}/big`), allow({ maxResponseBytes: 1000 })));
    expect(err.details).toMatchObject({ reason: "too_large", limit: 1000 });
    expect(err.code).toBe("body_too_large");
  });

  test("a streamed body is cut at the cap", async () => {
    const err = await rejection(guardedFetch(get(`http://127.0.0.1:${v4.port}/stream`), allow({ maxResponseBytes: 100_000 })));
    expect(err.details.reason).toBe("too_large");
    const ok = await guardedFetch(get(`http://127.0.0.1:${v4.port}/stream`), allow({ maxResponseBytes: 2 * 1024 * 1024 }));
    expect(ok.body!.byteLength).toBe(1024 * 1024);
  });

  test("the cap counts decoded bytes (gzip bomb)", async () => {
    const err = await rejection(guardedFetch(get(`http://127.0.0.1:${v4.port}/gzip-bomb`), allow({ maxResponseBytes: 1024 * 1024 })));
    expect(err.details.reason).toBe("too_large");
  });

  test("a server that never answers times out", async () => {
    const err = await rejection(guardedFetch(get(`http://127.0.0.1:${v4.port}/hang`), allow({ timeoutMs: 300 })));
    expect(err.details).toMatchObject({ reason: "timeout", limit: 300 });
    expect(err.code).toBe("timeout");
  });

  test("a body that stalls times out", async () => {
    const err = await rejection(guardedFetch(get(`http://127.0.0.1:${v4.port}/hang-body`), allow({ timeoutMs: 300 })));
    expect(err.details.reason).toBe("timeout");
  });

  test("the caller's signal aborts the fetch", async () => {
    const controller = new AbortController();
    const p = guardedFetch(get(`http://127.0.0.1:${v4.port}/hang`), allow({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    const err = await rejection(p);
    expect(err.details.reason).toBe("aborted");
  });
});

describe("redirects", () => {
  test("are followed, hop by hop", async () => {
    const res = await guardedFetch(get(`http://127.0.0.1:${v4.port}/chain?n=3`), allow());
    expect(new TextDecoder().decode(res.body!)).toBe("end of chain");
    expect(res.redirected).toBe(true);
    expect(res.url).toBe(`http://127.0.0.1:${v4.port}/chain?n=0`);
  });

  test(`stop after ${MAX_REDIRECTS}`, async () => {
    const ok = await guardedFetch(get(`http://127.0.0.1:${v4.port}/chain?n=${MAX_REDIRECTS}`), allow());
    expect(ok.status).toBe(200);
    const err = await rejection(guardedFetch(get(`http://127.0.0.1:${v4.port}/chain?n=${MAX_REDIRECTS + 1}`), allow()));
    expect(err.message).toBe(`fetch failed: more than ${MAX_REDIRECTS} redirects`);
  });

  test("each hop is checked: a redirect to a non-http scheme is refused", async () => {
    const err = await rejection(guardedFetch(get(`http://127.0.0.1:${v4.port}/redirect?to=file:///etc/passwd`), allow()));
    expect(err.details.reason).toBe("invalid_url");
  });

  // A public first hop redirecting to a private one needs a non-loopback address:
  // see fetch-guard-netns.test.ts, which runs inside its own network namespace.

  test("each hop is resolved again (custom lookup sees every host)", async () => {
    const seen: string[] = [];
    const res = await guardedFetch(get(`http://first.test:${v4.port}/redirect?to=http://second.test:${v4.port}/echo`), {
      ...allow(),
      lookup: async (host) => (seen.push(host), ["127.0.0.1"]),
    });
    expect(seen).toEqual(["first.test", "second.test"]);
    expect(JSON.parse(new TextDecoder().decode(res.body!)).host).toBe(`second.test:${v4.port}`);
  });

  test("303 turns POST into GET; 307 keeps method and body", async () => {
    const post = (status: number): WireRequest => ({
      method: "POST",
      url: `http://127.0.0.1:${v4.port}/redirect?status=${status}&to=/echo`,
      headers: [["content-type", "text/plain"]],
      body: new TextEncoder().encode("data"),
    });
    const see = JSON.parse(new TextDecoder().decode((await guardedFetch(post(303), allow())).body!));
    expect(see).toMatchObject({ method: "GET", body: null });
    const temp = JSON.parse(new TextDecoder().decode((await guardedFetch(post(307), allow())).body!));
    expect(temp).toMatchObject({ method: "POST", body: "data" });
  });

  test("credentials are dropped on a cross-origin redirect, kept on a same-origin one", async () => {
    const auth: [string, string][] = [["authorization", "Bearer secret"]];
    const same = await guardedFetch(get(`http://127.0.0.1:${v4.port}/redirect?to=/echo`, auth), allow());
    expect(JSON.parse(new TextDecoder().decode(same.body!)).auth).toBe("Bearer secret");
    const cross = await guardedFetch(get(`http://127.0.0.1:${v4.port}/redirect?to=http://localhost:${v4.port}/echo`, auth), allow());
    expect(JSON.parse(new TextDecoder().decode(cross.body!)).auth).toBeNull();
  });
});

test("a refused connection does not leak the address", async () => {
  // A port nothing listens on: the guard allows loopback here, Bun fails to connect.
  const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("x") });
  const port = closed.port;
  closed.stop(true);
  const err = await rejection(guardedFetch(get(`http://named.test:${port}/`), { ...allow(), lookup: async () => ["127.0.0.1"] }));
  expect(err.details.reason).toBe("network");
  expect(err.message).not.toContain("127.0.0.1");
});

test("createGuardedFetch wires the runtime config (refuses loopback unless allowed)", async () => {
  const { createGuardedFetch } = await import("../../src/runtime/fetch-guard.ts");
  const ceilings = { timeoutMs: 5000 } as Parameters<typeof createGuardedFetch>[0]["ceilings"];
  const strict = createGuardedFetch({ allowPrivateFetch: false, maxFetchResponseBytes: 1 << 20, ceilings });
  const err = await rejection(strict(get(`http://127.0.0.1:${v4.port}/echo`)));
  expect(err.details.category).toBe("loopback");
  const dev = createGuardedFetch({ allowPrivateFetch: true, maxFetchResponseBytes: 10, ceilings });
  const big = await rejection(dev(get(`http://127.0.0.1:${v4.port}/big`)));
  expect(big.details.reason).toBe("too_large");
});

test("warnIfPrivateFetchAllowed logs a warning only when the override is on", async () => {
  const { warnIfPrivateFetchAllowed } = await import("../../src/runtime/fetch-guard.ts");
  const { silentLogger } = await import("../../src/log.ts");
  const warnings: string[] = [];
  const log = { ...silentLogger, warn: (m: string) => void warnings.push(m) };
  expect(warnIfPrivateFetchAllowed(false, log)).toBe(false);
  expect(warnings).toEqual([]);
  expect(warnIfPrivateFetchAllowed(true, log)).toBe(true);
  expect(warnings[0]).toContain("PICLOUD_HTTP_ALLOW_PRIVATE=true");
});
