// CLI journeys against a real server (one per driver for this file): the CLI
// runs as a subprocess, `bun src/main.ts …`, with its own HOME and config dir.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eachDriver, startPicloud } from "../support/picloud.ts";
import { type Captured, runCliProcess, tempDir } from "./support.ts";

const MAIN = join(import.meta.dir, "../../src/main.ts");

/** Collects a stream into `.text` in the background, so a test can poll it without losing chunks. */
function readAll(stream: ReadableStream<Uint8Array>): { text: string; done: boolean } {
  const state = { text: "", done: false };
  const decoder = new TextDecoder();
  (async () => {
    for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) state.text += decoder.decode(chunk, { stream: true });
    state.done = true;
  })().catch(() => {
    state.done = true;
  });
  return state;
}

// Every step spawns `bun src/main.ts`; PGlite stop/start in reset-password costs seconds.
const it = (name: string, fn: () => Promise<void>) => test(name, fn, 60_000);

const ECHO = `export default {
  async fetch(req: Request): Promise<Response> {
    const body = req.method === "GET" ? null : await req.text();
    console.log("echo", req.method);
    return Response.json({ method: req.method, body, type: req.headers.get("content-type"), trace: req.headers.get("x-trace"), url: req.url });
  },
};
`;
const FAILING = `export default { fetch() { throw new Error("kaboom"); } };\n`;
const BROKEN = `export default { fetch( { return 1 } };\n`;

const json = (r: Captured) => {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout}\nstderr: ${r.stderr}`);
  }
};

eachDriver((driver) => {
  const pic = startPicloud({ driver });
  const home = tempDir("picloud-cli-home-");
  const files = tempDir("picloud-cli-files-");
  afterAll(() => {
    home.remove();
    files.remove();
  });

  /** The CLI as the logged-in user of `home`. */
  const cli = (args: string[], opts: { env?: Record<string, string>; stdin?: string; home?: string } = {}) =>
    runCliProcess(args, { home: opts.home ?? home.path, env: opts.env, stdin: opts.stdin });

  beforeAll(() => {
    writeFileSync(join(files.path, "echo.ts"), ECHO);
    writeFileSync(join(files.path, "fail.ts"), FAILING);
    writeFileSync(join(files.path, "body.json"), '{"from":"file"}');
    mkdirSync(join(files.path, "bundle"));
    writeFileSync(join(files.path, "bundle", "alpha.ts"), ECHO);
    writeFileSync(join(files.path, "bundle", "beta.js"), "export default { fetch: () => new Response('beta') };\n");
    writeFileSync(join(files.path, "bundle", "gamma.ts"), BROKEN);
  });

  it(`${driver}: login from stdin, whoami, credentials saved 0600`, async () => {
    const bad = await cli(["login", "--url", pic.url, "-u", "admin"], { stdin: "wrong-password\n" });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("login failed");

    const r = await cli(["login", "--url", pic.url], { stdin: `admin\n${pic.admin.password}\n` });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Logged in to ${pic.url} as admin`);
    const file = join(home.path, ".config", "picloud", "credentials.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const who = await cli(["whoami", "-o", "json"]);
    expect(who.code).toBe(0);
    expect(json(who)).toMatchObject({ username: "admin", instance_role: "owner" });
    const tsv = await cli(["whoami"]); // a pipe: TSV with a header row
    expect(tsv.stdout.split("\n")[0]).toBe("username\tinstance_role\temail\tid\turl");
  });

  it(`${driver}: login on a terminal prompts, and never echoes the password`, async () => {
    // util-linux `script` gives the CLI a real pty, as a person's terminal would.
    const tty = tempDir("picloud-cli-tty-");
    const proc = Bun.spawn(["script", "-qec", `bun ${MAIN} login --url ${pic.url}`, "/dev/null"], {
      env: { ...Bun.env, HOME: tty.path, XDG_CONFIG_HOME: join(tty.path, ".config"), PICLOUD_URL: "", PICLOUD_TOKEN: "" },
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      const screen = readAll(proc.stdout);
      const waitFor = async (text: string) => {
        const deadline = Date.now() + 20_000;
        while (!screen.text.includes(text) && !screen.done && Date.now() < deadline) await Bun.sleep(50);
        expect(screen.text).toContain(text);
      };
      await waitFor("Username: ");
      proc.stdin.write("admin\r");
      await waitFor("Password: ");
      proc.stdin.write(`${pic.admin.password}\r`);
      await waitFor("Logged in to");
      expect(screen.text).not.toContain(pic.admin.password);
      expect(await proc.exited).toBe(0);
    } finally {
      proc.kill();
      tty.remove();
    }
  });

  it(`${driver}: not logged in, and PICLOUD_URL/PICLOUD_TOKEN overrides`, async () => {
    const empty = tempDir("picloud-cli-empty-");
    try {
      const none = await cli(["apps", "ls"], { home: empty.path });
      expect(none.code).toBe(1);
      expect(none.stderr).toContain("not logged in: run `picloud login --url");

      const token = await pic.login();
      const viaEnv = await cli(["whoami", "-o", "json"], { home: empty.path, env: { PICLOUD_URL: pic.url, PICLOUD_TOKEN: token } });
      expect(viaEnv.code).toBe(0);
      expect(json(viaEnv).username).toBe("admin");

      const urlOnly = await cli(["apps", "ls"], { home: empty.path, env: { PICLOUD_URL: pic.url } });
      expect(urlOnly.code).toBe(1);
      expect(urlOnly.stderr).toContain(`not logged in: run \`picloud login --url ${pic.url}\``);
    } finally {
      empty.remove();
    }
    // The saved login is for pic.url: another URL gets no token, a bad token is refused.
    const elsewhere = await cli(["apps", "ls"], { env: { PICLOUD_URL: "http://127.0.0.1:1" } });
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain("not logged in");
    const badToken = await cli(["apps", "ls"], { env: { PICLOUD_TOKEN: "not-a-token" } });
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toContain("no longer valid");
    expect(badToken.stderr).toContain("picloud login --url");
  });

  it(`${driver}: apps create, ls, show, delete (refused without --force)`, async () => {
    const created = await cli(["apps", "create", "blog", "--name", "My blog", "-o", "json"]);
    expect(created.code).toBe(0);
    expect(json(created)).toMatchObject({ slug: "blog", name: "My blog" });

    const ls = await cli(["apps", "ls", "-o", "json"]);
    const apps = json(ls);
    expect(Array.isArray(apps)).toBe(true);
    expect(apps.map((a: { slug: string }) => a.slug)).toEqual(expect.arrayContaining(["default", "blog"]));

    const show = await cli(["apps", "show", "blog", "-o", "json"]);
    expect(json(show).id).toBe(json(created).id);

    const missing = await cli(["apps", "show", "nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("app 'nope' not found");
    expect(missing.stderr).toContain("picloud apps ls");

    const dup = await cli(["apps", "create", "blog"]);
    expect(dup.code).toBe(1);

    const deployed = await cli(["scripts", "deploy", join(files.path, "echo.ts"), "--app", "blog"]);
    expect(deployed.code).toBe(0);
    const refused = await cli(["apps", "delete", "blog"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("app 'blog' still has 1 script(s): re-run with --force");
    const forced = await cli(["apps", "delete", "blog", "--force"]);
    expect(forced.code).toBe(0);
    expect((await cli(["apps", "show", "blog"])).code).toBe(1);
  });

  it(`${driver}: scripts deploy creates, then updates with a version bump`, async () => {
    const first = await cli(["scripts", "deploy", join(files.path, "echo.ts"), "-o", "json"]);
    expect(first.code).toBe(0);
    expect(json(first)).toMatchObject({ name: "echo", action: "created", version: 1 });
    const same = await cli(["scripts", "deploy", join(files.path, "echo.ts"), "-o", "json"]);
    expect(json(same)).toMatchObject({ name: "echo", action: "unchanged", version: 1 });

    const changed = join(files.path, "v2");
    mkdirSync(changed);
    writeFileSync(join(changed, "echo.ts"), `${ECHO}// v2\n`);
    const second = await cli(["scripts", "deploy", join(changed, "echo.ts"), "-o", "json"]);
    expect(json(second)).toMatchObject({ name: "echo", action: "updated", version: 2, id: json(first).id });

    const ls = json(await cli(["scripts", "ls", "-o", "json"]));
    expect(ls.find((s: { name: string }) => s.name === "echo").version).toBe(2);
  });

  it(`${driver}: deploying a folder shows n/N progress and reports the broken file`, async () => {
    const r = await cli(["scripts", "deploy", join(files.path, "bundle"), "-o", "json"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("[1/3] alpha: created v1");
    expect(r.stderr).toContain("[2/3] beta: created v1");
    expect(r.stderr).toMatch(/\[3\/3\] gamma: FAILED .*gamma\.ts:\d+:\d+: /);
    expect(r.stderr).toContain("1 of 3 script(s) failed to deploy");
    expect(json(r).map((s: { name: string }) => s.name)).toEqual(["alpha", "beta"]);
  });

  it(`${driver}: invoke with inline JSON, @file, @- and headers; non-2xx exits 1`, async () => {
    const inline = await cli(["invoke", "echo", "--data", '{"a":1}']);
    expect(inline.code).toBe(0);
    expect(JSON.parse(inline.stdout)).toMatchObject({ method: "POST", body: '{"a":1}', type: "application/json", trace: null });

    const fromFile = await cli(["invoke", "echo", "--data", `@${join(files.path, "body.json")}`, "-X", "PUT", "-H", "X-Trace: t1"]);
    expect(JSON.parse(fromFile.stdout)).toMatchObject({ method: "PUT", body: '{"from":"file"}', trace: "t1" });

    const fromStdin = await cli(["invoke", "default/echo", "--data", "@-"], { stdin: "plain words" });
    expect(JSON.parse(fromStdin.stdout)).toMatchObject({ method: "POST", body: "plain words", type: "text/plain;charset=utf-8" });

    const get = await cli(["invoke", "echo", "-o", "json", "--path", "/sub/path?q=pi"]);
    expect(json(get)).toMatchObject({ status: 200, body: { method: "GET", body: null } });
    expect(json(get).body.url).toEndWith("/sub/path?q=pi");

    expect((await cli(["scripts", "deploy", join(files.path, "fail.ts")])).code).toBe(0);
    const failing = await cli(["invoke", "fail"]);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain("script_error");
    expect(failing.stderr).toContain("HTTP 502");

    const unknown = await cli(["invoke", "nope"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("script 'nope' not found in app 'default'");
  });

  it(`${driver}: routes add, ls, curl through it, conflict, rm`, async () => {
    const added = await cli(["routes", "add", "echo", "/cli/:name", "--method", "GET", "-o", "json"]);
    expect(added.code).toBe(0);
    const route = json(added);
    expect(route).toMatchObject({ method: "GET", path_kind: "param", host_kind: "any", path: "/cli/:name" });

    const ls = json(await cli(["routes", "ls", "-o", "json"]));
    expect(ls.map((r: { id: string }) => r.id)).toContain(route.id);

    let body = "";
    for (let i = 0; i < 150 && !body.includes("GET"); i++) {
      const res = await fetch(`${pic.url}/cli/pi`, { headers: { host: "localhost" } });
      body = await res.text();
      if (!body.includes("GET")) await Bun.sleep(100);
    }
    expect(JSON.parse(body).method).toBe("GET");

    const clash = await cli(["routes", "add", "fail", "/cli/:other", "--method", "GET"]);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain("picloud routes rm");

    expect((await cli(["routes", "rm", route.id])).code).toBe(0);
    const after = json(await cli(["routes", "ls", "--script", "echo", "-o", "json"]));
    expect(after).toEqual([]);
  });

  it(`${driver}: logs list, and -f follows new executions`, async () => {
    let rows: { status: string; http_status: number; console: unknown[] }[] = [];
    for (let i = 0; i < 40 && rows.length === 0; i++) {
      rows = json(await cli(["logs", "echo", "--limit", "2", "-o", "json"]));
      if (rows.length === 0) await Bun.sleep(150);
    }
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(2);
    expect(rows[0]).toHaveProperty("http_status");

    const tsv = await cli(["logs", "echo"]);
    expect(tsv.stdout.split("\n")[0]).toBe("created_at\tstatus\thttp_status\tduration_ms\trequest\tversion\tid\tconsole\terror");
    expect(tsv.stdout).toContain("[log] echo");

    const token = await pic.login();
    const follower = Bun.spawn(["bun", MAIN, "logs", "echo", "-f", "-o", "json"], {
      env: { ...Bun.env, HOME: home.path, XDG_CONFIG_HOME: join(home.path, ".config"), PICLOUD_URL: pic.url, PICLOUD_TOKEN: token },
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      const out = readAll(follower.stdout);
      const deadline = Date.now() + 20_000;
      const id = json(await cli(["scripts", "show", "echo", "-o", "json"])).id;
      // Keep invoking until the follower prints a line: it may subscribe after the first call.
      while (!out.text.includes("\n") && !out.done && Date.now() < deadline) {
        await pic.api("POST", `/api/v1/execute/${id}`, "tail me", { token: null });
        await Bun.sleep(500);
      }
      const seen = out.text;
      const line = JSON.parse(seen.split("\n")[0]!);
      expect(line).toHaveProperty("id");
      expect(line.request_method).toBe("POST");
    } finally {
      follower.kill("SIGINT");
      await follower.exited;
    }
  });

  it(`${driver}: api-keys mint works as a bearer, ls hides secrets, rm revokes`, async () => {
    const minted = await cli(["api-keys", "mint", "--name", "ci", "--scope", "app:read", "-o", "json"]);
    expect(minted.code).toBe(0);
    const key = json(minted);
    expect(key.token).toStartWith("pic_");
    expect(key.scopes).toEqual(["app:read"]);

    const asKey = await cli(["apps", "ls", "-o", "json"], { env: { PICLOUD_TOKEN: key.token } });
    expect(asKey.stderr).toBe("");
    expect(asKey.code).toBe(0);
    expect(json(asKey).length).toBeGreaterThan(0);

    const list = json(await cli(["api-keys", "ls", "-o", "json"]));
    const listed = list.find((k: { id: string }) => k.id === key.id);
    expect(listed.name).toBe("ci");
    expect(listed.token).toBeUndefined();

    const badScope = await cli(["api-keys", "mint", "--name", "x", "--scope", "root"]);
    expect(badScope.code).toBe(2);
    expect(badScope.stderr).toContain("unknown scope root");

    expect((await cli(["api-keys", "rm", key.id])).code).toBe(0);
    const revoked = await cli(["apps", "ls"], { env: { PICLOUD_TOKEN: key.token } });
    expect(revoked.code).toBe(1);
    expect(revoked.stderr).toContain("picloud login");
  });

  it(`${driver}: logout revokes the session on the server`, async () => {
    const saved = JSON.parse(await Bun.file(join(home.path, ".config", "picloud", "credentials.json")).text());
    const r = await cli(["logout"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Logged out of ${pic.url}`);
    const me = await pic.api("GET", "/api/v1/admin/auth/me", undefined, { token: saved.token });
    expect(me.status).toBe(401);
    const after = await cli(["whoami"]);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain("not logged in");
  });

  it(`${driver}: admin reset-password works on the database without HTTP`, async () => {
    const env: Record<string, string> = { PICLOUD_LOG_LEVEL: "warn" };
    if (driver === "postgres") env.DATABASE_URL = pic.services.config.databaseUrl!;
    else {
      // PGlite's data dir has one owner at a time: stop the server first, as the docs say.
      await pic.stop();
      env.PICLOUD_DATA_DIR = pic.dataDir;
    }
    const missing = await cli(["admin", "reset-password", "nobody"], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("not found");

    const r = await cli(["admin", "reset-password", "admin", "-o", "json"], { env });
    expect(r.stderr).not.toContain("error");
    expect(r.code).toBe(0);
    const { username, password } = json(r);
    expect(username).toBe("admin");
    expect(password.length).toBeGreaterThanOrEqual(12);

    if (driver === "postgres") {
      const login = await cli(["login", "--url", pic.url, "-u", "admin"], { stdin: `${password}\n` });
      expect(login.code).toBe(0);
    } else {
      const { openDb } = await import("../../src/db/open.ts");
      const { loadConfig } = await import("../../src/config.ts");
      const { silentLogger } = await import("../../src/log.ts");
      const db = await openDb(loadConfig({ PICLOUD_DATA_DIR: pic.dataDir }), silentLogger);
      try {
        const [row] = await db.query<{ password_hash: string }>("SELECT password_hash FROM users WHERE username = $1", ["admin"]);
        expect(await Bun.password.verify(password, row!.password_hash)).toBe(true);
      } finally {
        await db.close();
      }
    }
  });
});
