// How /admin/ is served, over loopback: SPA fallback, content types, cache
// headers for hashed assets, gzip, the not-built page, the first-run hint.
// Independent of a dashboard build: a small dist is written to a temp dir.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Elysia } from "elysia";
import { INITIAL_PASSWORD_FILE } from "../../src/auth/bootstrap.ts";
import { dashboardRoutes, scanDist } from "../../src/http/dashboard.ts";
import { startPicloud } from "../support/picloud.ts";

const INDEX = `<!doctype html><html><head><title>PiCloud</title>
  <script type="module" src="/admin/assets/index-AbC123.js"></script>
  </head><body><div id="app"></div></body></html>`;
const JS = `console.log(${JSON.stringify("x".repeat(4000))});`;

describe("dashboard plugin", () => {
  let dir = "";
  let dataDir = "";
  type Listening = { server: { port?: number } | null; stop(closeActive?: boolean): Promise<unknown> };
  let built: Listening | null = null;
  let notBuilt: Listening | null = null;
  const url = (s: Listening | null, path: string) => `http://127.0.0.1:${s!.server!.port}${path}`;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "picloud-dist-"));
    dataDir = await mkdtemp(join(tmpdir(), "picloud-data-"));
    await mkdir(join(dir, "assets"));
    await writeFile(join(dir, "index.html"), INDEX);
    await writeFile(join(dir, "assets", "index-AbC123.js"), JS);
    await writeFile(join(dir, "assets", "index-AbC123.js.gz"), Bun.gzipSync(new TextEncoder().encode(JS)));
    await writeFile(join(dir, "assets", "style-Zz9.css"), "body{color:red}");
    await writeFile(join(dir, "robots.txt"), "User-agent: *\nDisallow: /\n");
    built = new Elysia().use(dashboardRoutes({ assets: scanDist(dir), dataDir })).listen({ hostname: "127.0.0.1", port: 0 });
    notBuilt = new Elysia().use(dashboardRoutes({ assets: null })).listen({ hostname: "127.0.0.1", port: 0 });
  });

  afterAll(async () => {
    await built?.stop(true);
    await notBuilt?.stop(true);
    await rm(dir, { recursive: true, force: true });
    await rm(dataDir, { recursive: true, force: true });
  });

  test("/admin redirects to /admin/, keeping the query", async () => {
    const res = await fetch(url(built, "/admin?x=1"), { redirect: "manual" });
    expect(res.status).toBe(308);
    expect(res.headers.get("location")).toBe("/admin/?x=1");
  });

  test("index.html for the root and for every deep link, never cached, with a CSP", async () => {
    for (const path of ["/admin/", "/admin/index.html", "/admin/apps/demo/settings", "/admin/scripts/123/edit"]) {
      const res = await fetch(url(built, path));
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      expect(await res.text()).toContain('<div id="app">');
    }
  });

  test("hashed assets: right type, cached for a year, gzip when accepted", async () => {
    const plain = await fetch(url(built, "/admin/assets/index-AbC123.js"), { headers: { "accept-encoding": "identity" } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(plain.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(await plain.text()).toBe(JS);

    const gz = await fetch(url(built, "/admin/assets/index-AbC123.js"), { headers: { "accept-encoding": "gzip, br" } });
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    expect(await gz.text()).toBe(JS); // fetch decompresses

    const css = await fetch(url(built, "/admin/assets/style-Zz9.css"));
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
  });

  test("unhashed files are revalidated", async () => {
    const res = await fetch(url(built, "/admin/robots.txt"));
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
  });

  test("a missing asset is a JSON 404, not index.html", async () => {
    for (const path of ["/admin/assets/index-gone.js", "/admin/missing.css", "/admin/assets/../index.html.js"]) {
      const res = await fetch(url(built, path));
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe("not_found");
    }
  });

  test("without a build, /admin/ explains how to build", async () => {
    const res = await fetch(url(notBuilt, "/admin/apps"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await res.text()).toContain("bun run build:dashboard");
  });

  test("the first-run hint appears while the generated password file exists", async () => {
    expect(await (await fetch(url(built, "/admin/"))).text()).not.toContain("picloud-first-run");
    await writeFile(join(dataDir, INITIAL_PASSWORD_FILE), "username: admin\npassword: x\n");
    const html = await (await fetch(url(built, "/admin/"))).text();
    expect(html).toContain(`<meta name="picloud-first-run" content="${INITIAL_PASSWORD_FILE}">`);
    expect(html).not.toContain(dataDir);
    await rm(join(dataDir, INITIAL_PASSWORD_FILE));
    expect(await (await fetch(url(built, "/admin/"))).text()).not.toContain("picloud-first-run");
  });
});

describe("dashboard in the real server (pglite)", () => {
  const pic = startPicloud({ driver: "pglite" });

  test("/admin/ is HTML (the app or the build hint) and user routes never take it", async () => {
    const res = await pic.api("GET", "/admin/apps/default", undefined, { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    // The admin API next to it still answers JSON.
    const me = await pic.api("GET", "/api/v1/admin/auth/me", undefined, { token: null });
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe("unauthorized");
  });
});
