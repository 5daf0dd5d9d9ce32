// CLI pieces that need no server: argument parsing, exit codes, output shapes,
// credentials file handling, body sources, route-kind detection.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadClientEnv } from "../../src/config.ts";
import { parseExpiry } from "../../src/cli/commands/api-keys.ts";
import { parseHeader } from "../../src/cli/commands/invoke.ts";
import { humanLine, sseEvents } from "../../src/cli/commands/logs.ts";
import { detectHostKind, detectPathKind } from "../../src/cli/commands/routes.ts";
import { scriptFilesIn, scriptNameOf } from "../../src/cli/commands/scripts.ts";
import { createCredentialStore, normalizeUrl, resolveTarget } from "../../src/cli/credentials.ts";
import { findCommand } from "../../src/cli/index.ts";
import { renderList, renderObject } from "../../src/cli/output.ts";
import { runInProcess, tempDir } from "./support.ts";

const tmp = tempDir();
afterAll(() => tmp.remove());

describe("argument parsing and exit codes", () => {
  test("help lists every command and exits 0", async () => {
    const r = await runInProcess(["help"]);
    expect(r.code).toBe(0);
    for (const c of ["serve", "login", "logout", "whoami", "apps ls", "scripts deploy", "routes add", "invoke", "logs", "api-keys mint", "admin reset-password", "version"]) {
      expect(r.stdout).toContain(c);
    }
  });

  test("no arguments prints help", async () => {
    const r = await runInProcess([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: picloud <command>");
  });

  test("a command's --help shows its usage and example", async () => {
    const r = await runInProcess(["scripts", "deploy", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: picloud scripts deploy <file|folder>");
    expect(r.stdout).toContain("Example:");
  });

  test("unknown command is a usage error (2) pointing at help", async () => {
    const r = await runInProcess(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
    expect(r.stderr).toContain("picloud help");
  });

  test("a group without subcommand lists the group", async () => {
    const r = await runInProcess(["apps"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("apps create");
  });

  test("unknown option and wrong arity exit 2", async () => {
    expect((await runInProcess(["apps", "ls", "--bogus"])).code).toBe(2);
    const r = await runInProcess(["apps", "create"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("<slug>");
    expect((await runInProcess(["apps", "ls", "-o", "yaml"])).code).toBe(2);
  });

  test("aliases and global options before the command", () => {
    expect(findCommand(["apps", "list"]).command?.path).toEqual(["apps", "ls"]);
    expect(findCommand(["api-keys", "revoke", "x"]).command?.path).toEqual(["api-keys", "rm"]);
    expect(findCommand(["scripts", "deploy", "./f", "--app", "a"]).rest).toEqual(["./f", "--app", "a"]);
  });

  test("version works offline; -o json gives an object", async () => {
    const r = await runInProcess(["-o", "json", "version"]);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v.cli).toMatch(/^\d+\.\d+\.\d+/);
    expect(v.bun).toBe(Bun.version);
  });

  test("not logged in: exit 1 and the message says how to log in", async () => {
    const r = await runInProcess(["apps", "ls"], { env: { configDir: join(tmp.path, "empty") } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("not logged in: run `picloud login --url");
  });

  test("an unreachable server says so and what to check", async () => {
    // Port 1 on loopback: nothing listens there.
    const r = await runInProcess(["apps", "ls"], { env: { url: "http://127.0.0.1:1", token: "t", configDir: join(tmp.path, "none") } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("cannot reach PiCloud at http://127.0.0.1:1");
    expect(r.stderr).toContain("PICLOUD_URL");
  });

  test("login without a tty and without a password on stdin is a usage error", async () => {
    const r = await runInProcess(["login", "--url", "http://127.0.0.1:1", "-u", "admin"], { stdin: "" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no password on stdin");
  });

  test("invoke rejects a body on GET and a malformed header before any request", async () => {
    const env = { url: "http://127.0.0.1:1", token: "t", configDir: join(tmp.path, "none") };
    expect((await runInProcess(["invoke", "hello", "-X", "GET", "--data", "{}"], { env })).code).toBe(2);
    expect((await runInProcess(["invoke", "hello", "-H", "no-colon"], { env })).code).toBe(2);
  });
});

describe("output shapes", () => {
  const rows = [
    { id: "1", name: "alpha", tags: ["a", "b"], note: "tab\there" },
    { id: "22", name: "b", tags: [], note: null },
  ];
  const cols = [
    { header: "id", value: (r: (typeof rows)[number]) => r.id },
    { header: "name", value: (r: (typeof rows)[number]) => r.name },
    { header: "tags", value: (r: (typeof rows)[number]) => r.tags },
    { header: "note", value: (r: (typeof rows)[number]) => r.note },
  ];

  test("tsv: header row, one line per row, tabs escaped", () => {
    expect(renderList("tsv", rows, cols)).toBe("id\tname\ttags\tnote\n1\talpha\ta,b\ttab\\there\n22\tb\t\t\n");
  });

  test("json: lists are bare arrays of the server's objects", () => {
    expect(JSON.parse(renderList("json", rows, cols))).toEqual(rows);
    expect(JSON.parse(renderObject("json", rows[0]!, cols))).toEqual(rows[0]);
  });

  test("table: aligned columns with upper-case headers; empty list says so", () => {
    const lines = renderList("table", rows, cols).trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+NAME\s+TAGS\s+NOTE$/);
    expect(lines[1]!.indexOf("alpha")).toBe(lines[0]!.indexOf("NAME"));
    expect(renderList("table", [], cols)).toContain("(none)");
  });
});

describe("credentials", () => {
  test("written 0600 in a 0700 dir, read back, cleared", () => {
    const dir = join(tmp.path, "cfg", "picloud");
    const store = createCredentialStore(dir);
    expect(store.read()).toBeNull();
    store.write({ url: "http://127.0.0.1:8080", token: "secret", username: "admin", saved_at: "now" });
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(store.read()?.token).toBe("secret");
    expect(store.clear()).toBe(true);
    expect(store.read()).toBeNull();
  });

  test("a corrupt file counts as no login", () => {
    const dir = join(tmp.path, "corrupt");
    const store = createCredentialStore(dir);
    store.write({ url: "u", token: "t", saved_at: "x" });
    writeFileSync(store.path, "{not json");
    expect(store.read()).toBeNull();
  });

  test("PICLOUD_URL/PICLOUD_TOKEN override; a saved token never goes to another server", () => {
    const saved = { url: "http://pi:8080/", token: "saved", saved_at: "x" };
    expect(resolveTarget({}, saved)).toEqual({ url: "http://pi:8080", token: "saved" });
    expect(resolveTarget({ token: "env" }, saved)).toEqual({ url: "http://pi:8080", token: "env" });
    expect(resolveTarget({ url: "http://other:1" }, saved)).toEqual({ url: "http://other:1", token: undefined });
    expect(resolveTarget({ url: "http://pi:8080" }, saved).token).toBe("saved");
    expect(resolveTarget({}, null)).toEqual({ url: undefined, token: undefined });
    expect(normalizeUrl("pi.local:8080")).toBe("http://pi.local:8080");
  });

  test("config dir: XDG_CONFIG_HOME, else ~/.config", () => {
    expect(loadClientEnv({ HOME: "/home/u" }).configDir).toBe("/home/u/.config/picloud");
    expect(loadClientEnv({ HOME: "/home/u", XDG_CONFIG_HOME: "/x" }).configDir).toBe("/x/picloud");
    expect(loadClientEnv({ PICLOUD_URL: "", PICLOUD_TOKEN: "t" })).toMatchObject({ url: undefined, token: "t" });
  });
});

describe("small parsers", () => {
  test("route kinds are detected from what was typed", () => {
    expect(detectPathKind("/hello")).toBe("exact");
    expect(detectPathKind("/greet/:name")).toBe("param");
    expect(detectPathKind("/static/*")).toBe("prefix");
    expect(detectHostKind(undefined)).toBe("any");
    expect(detectHostKind("*.example.com")).toBe("wildcard");
    expect(detectHostKind("pi.local")).toBe("strict");
  });

  test("headers, expiry", () => {
    expect(parseHeader("X-Thing:  a: b ")).toEqual(["X-Thing", "a: b"]);
    expect(parseExpiry("2d", 0)).toBe(new Date(2 * 86_400_000).toISOString());
    expect(parseExpiry("2030-01-01T00:00:00Z")).toBe("2030-01-01T00:00:00.000Z");
  });

  test("deploy takes top-level .ts/.js files, not declarations or tests", () => {
    const dir = join(tmp.path, "fns");
    mkdirSync(join(dir, "nested"), { recursive: true });
    for (const f of ["b.ts", "a.js", "types.d.ts", "a.test.ts", "README.md", "nested/c.ts"]) writeFileSync(join(dir, f), "");
    expect(scriptFilesIn(dir).map(scriptNameOf)).toEqual(["a", "b"]);
  });

  test("SSE parsing: comments skipped, multi-line data joined, events split on blank lines", async () => {
    const text = ": hi\n\nevent: execution\ndata: {\"a\":\ndata: 1}\n\ndata: two\r\n\r\n";
    const stream = new Response(text).body!;
    const events = [];
    for await (const e of sseEvents(stream)) events.push(e);
    expect(events).toEqual([{ event: "execution", data: '{"a":\n1}' }, { event: "message", data: "two" }]);
  });

  test("a log line shows status, request, console and error", () => {
    const line = humanLine({
      id: "e1", created_at: "2026-01-01T00:00:00Z", status: "error", http_status: 502, duration_ms: 3.25,
      request_method: "GET", request_url: "http://x/hello", script_version: 2,
      console: [{ level: "log", message: "hi" }], error: "boom",
    });
    expect(line).toContain("502");
    expect(line).toContain("GET http://x/hello");
    expect(line).toContain("[log] hi");
    expect(line).toContain("error: boom");
  });
});

test("the credentials file holds only what it should", () => {
  const store = createCredentialStore(join(tmp.path, "shape"));
  store.write({ url: "http://127.0.0.1:1", token: "t", username: "u", saved_at: "s" });
  expect(Object.keys(JSON.parse(readFileSync(store.path, "utf8"))).sort()).toEqual(["saved_at", "token", "url", "username"]);
});
