// The dashboard in a real browser (Debian's chromium driven by playwright-core)
// against a real PiCloud: sign in → app → script → compile error at its line →
// fix → param route → test-invoke → execution with its console line → rollback
// → member and API key → sign out. Screenshots of every page go to
// tests/e2e/screenshots/ (gitignored).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { startPicloud } from "../support/picloud.ts";

const CHROMIUM = "/usr/bin/chromium";
const DIST = join(import.meta.dir, "..", "..", "dashboard", "dist", "index.html");
const SHOTS = join(import.meta.dir, "screenshots");

const skipReason = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is missing (apt-get install -y chromium)`
  : !existsSync(DIST)
    ? "dashboard/dist is not built (bun run build:dashboard)"
    : null;
if (skipReason) process.stderr.write(`dashboard e2e SKIPPED: ${skipReason}\n`);

const BROKEN = `export default {
  async fetch(request: Request, ctx) {
    const greeting = ;
    return new Response("never");
  },
};
`;
const FIXED = `export default {
  async fetch(request: Request, ctx) {
    console.log("greeting " + ctx.params.name);
    return Response.json({ hello: ctx.params.name });
  },
};
`;

(skipReason ? describe.skip : describe)("dashboard e2e (chromium, pglite)", () => {
  const pic = startPicloud({ driver: "pglite" });
  let profile = "";
  let context: BrowserContext;
  let page: Page;
  let base = "";
  let scriptId = "";
  let bobPassword = "";

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const toast = (text: string | RegExp) => page.getByTestId("toast").filter({ hasText: text }).first();

  /** Replaces the CodeMirror document; insertText skips auto-indent and bracket closing. */
  async function setEditor(text: string) {
    await page.locator(".cm-content").click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await page.keyboard.insertText(text);
  }

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    profile = await mkdtemp(join(tmpdir(), "picloud-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 860 },
      args: [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    base = pic.url;
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  }, 30_000);

  test("sign in; the session survives a reload", async () => {
    await page.goto(`${base}/admin/`);
    await page.getByTestId("sign-in").waitFor();
    await shot("01-sign-in");
    await page.getByLabel("Username").fill(pic.admin.username);
    await page.getByLabel("Password").fill("wrong-password-123");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: /wrong|invalid|password/i }).waitFor();
    await page.getByLabel("Password").fill(pic.admin.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Apps" }).waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "Apps" }).waitFor();
    expect(await page.getByTestId("user-menu").textContent()).toContain(pic.admin.username);
    await shot("02-apps");
  }, 30_000);

  test("create an app and claim the host the browser uses", async () => {
    await page.getByRole("button", { name: "+ New app" }).click();
    await page.getByLabel("Name").fill("Demo App");
    expect(await page.getByLabel("Slug").inputValue()).toBe("demo-app");
    await page.getByRole("button", { name: "Create app" }).click();
    await page.waitForURL(`${base}/admin/apps/demo-app`);
    await page.getByRole("heading", { name: "Demo App" }).waitFor();
    await shot("03-app-overview");

    await page.getByRole("link", { name: "Domains" }).click();
    await page.getByLabel("Domain").fill("127.0.0.1");
    await page.getByRole("button", { name: "Claim domain" }).click();
    await page.getByRole("cell", { name: "127.0.0.1" }).waitFor();
    await shot("04-app-domains");
  }, 30_000);

  test("create a script, see a compile error at its line, fix and save", async () => {
    await page.getByRole("link", { name: "Scripts" }).click();
    await page.getByRole("button", { name: "+ New script" }).click();
    await page.getByLabel("Name").fill("greet");
    await page.getByRole("button", { name: "Create script" }).click();
    await page.waitForURL(/\/admin\/scripts\/[0-9a-f-]{36}$/);
    scriptId = page.url().split("/").pop()!;
    await page.getByTestId("code-editor").waitFor();
    await expect(page.getByTestId("script-version").textContent()).resolves.toBe("v1");

    await setEditor(BROKEN);
    await page.getByTestId("save-script").click();
    const errors = page.getByTestId("compile-errors");
    await errors.waitFor();
    expect(await errors.textContent()).toContain("Line 3");
    // The editor marks the line itself: the third line carries the error decoration.
    const marked = await page.locator(".cm-line.cm-error-line").first().textContent();
    expect(marked).toContain("const greeting = ;");
    await shot("05-script-compile-error");

    await setEditor(FIXED);
    await page.getByTestId("save-script").click();
    await toast("Saved as version 2").waitFor();
    expect(await page.getByTestId("compile-errors").count()).toBe(0);
    await expect(page.getByTestId("script-version").textContent()).resolves.toBe("v2");
  }, 30_000);

  test("add a param route: the kind is detected from the path; a duplicate is a 409 shown inline", async () => {
    await page.getByRole("link", { name: "Routing" }).click();
    const form = page.getByTestId("route-form");
    await form.locator("input[name=path]").fill("/greet/:name");
    expect(await form.locator("select[name=path_kind]").inputValue()).toBe("param");
    await form.locator("select[name=method]").selectOption("GET");
    await form.getByRole("button", { name: "Add route" }).click();
    await page.getByTestId("routes-table").getByRole("cell", { name: "/greet/:name" }).waitFor();

    // Choosing a kind that does not fit what was typed warns, softly.
    await form.locator("input[name=path]").fill("/greet/:name");
    await form.locator("select[name=path_kind]").selectOption("exact");
    await page.getByTestId("path-kind-warning").waitFor();
    await form.locator("select[name=path_kind]").selectOption("param");
    await form.getByRole("button", { name: "Add route" }).click();
    const conflict = page.getByTestId("route-conflict");
    await conflict.waitFor();
    expect(await conflict.textContent()).toContain("/greet/:name");

    await page.getByLabel("Preview URL").fill(`http://127.0.0.1/greet/ada`);
    await page.getByRole("button", { name: "Preview" }).click();
    const match = page.getByTestId("match-result");
    await match.waitFor();
    expect(await match.textContent()).toContain("Matches");
    expect(await match.textContent()).toContain('"name":"ada"');
    await shot("06-script-routing");
  }, 30_000);

  test("test-invoke through the route and see the console line", async () => {
    await page.getByRole("link", { name: "Edit" }).click();
    const panel = page.getByTestId("test-panel");
    await panel.getByTestId("via-route").check();
    await panel.getByLabel("Path").fill("/greet/ada");
    await panel.getByTestId("send-test").click();
    await panel.getByTestId("test-result").waitFor();
    expect(await panel.getByTestId("test-body").textContent()).toContain('"hello": "ada"');
    await panel.getByTestId("test-console").waitFor();
    expect(await panel.getByTestId("test-console").textContent()).toContain("greeting ada");
    await shot("07-script-test-panel");
    await page.setViewportSize({ width: 420, height: 860 });
    await shot("07b-script-test-panel-narrow");
    await page.setViewportSize({ width: 1280, height: 860 });

    // Direct: /api/v1/execute/{id} needs no route; there are no params on that path.
    await panel.getByLabel("Direct").check();
    await panel.getByLabel("Path").fill("/");
    await panel.getByTestId("send-test").click();
    await panel.getByTestId("test-console").filter({ hasText: "greeting undefined" }).waitFor();
    expect(await panel.getByTestId("test-result").getByTestId("status-chip").textContent()).toContain("200");
  }, 30_000);

  test("the execution is in the log with its console line", async () => {
    await page.getByRole("link", { name: "Executions" }).click();
    const row = page.getByTestId("execution-row").filter({ hasText: "/greet/ada" });
    await row.waitFor();
    expect(await row.getByTestId("status-chip").textContent()).toContain("200");
    await row.click();
    const detail = page.getByTestId("execution-detail").first();
    await detail.waitFor();
    await detail.getByText("greeting ada").waitFor();

    // Live tail over SSE: a request made outside the browser shows up without a refresh.
    await page.getByTestId("live-tail").check();
    await page.locator(".tail-live").waitFor();
    const res = await fetch(`${base}/greet/bob`);
    expect(res.status).toBe(200);
    await page.getByTestId("execution-row").filter({ hasText: "/greet/bob" }).waitFor();
    await shot("08-script-executions");
    await page.getByTestId("live-tail").uncheck();
  }, 30_000);

  test("roll back to version 1", async () => {
    await page.getByRole("link", { name: "Versions" }).click();
    await page.getByTestId("versions-table").waitFor();
    expect(await page.getByTestId("version-row").count()).toBe(2);
    await page.getByRole("button", { name: "Diff vs current" }).first().click();
    await page.getByRole("dialog").getByText("console.log").first().waitFor();
    await shot("09-script-version-diff");
    await page.getByRole("dialog").getByRole("button", { name: "Close" }).click();
    await page.getByTestId("rollback-1").click();
    await page.getByTestId("confirm-button").click();
    await toast("Rolled back").waitFor();
    await expect(page.getByTestId("script-version").textContent()).resolves.toBe("v3");
    expect(await page.getByTestId("version-row").count()).toBe(3);
    await shot("10-script-versions");
    // v3 carries v1's source (the template), not the fixed v2.
    const res = await pic.api("GET", `/api/v1/admin/scripts/${scriptId}`);
    expect(res.body.version).toBe(3);
    expect(res.body.source).toContain('ctx.params.name ?? "world"');
  }, 30_000);

  test("script settings: a limit above the ceiling is refused inline", async () => {
    await page.getByRole("link", { name: "Settings" }).click();
    // Placeholders and the "max" hints come from GET /limits (the operator's values).
    const limits = (await pic.api("GET", "/api/v1/admin/limits")).body;
    await page.locator("[data-ceiling=timeout_ms]").filter({ hasText: limits.ceilings.timeout_ms.toLocaleString("en-US") }).waitFor();
    expect(await page.locator("input[data-limit=cpu_ms]").getAttribute("placeholder")).toBe(`default (${limits.defaults.cpu_ms})`);
    await page.locator("input[data-limit=timeout_ms]").fill("999999999");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.locator(".field .err").filter({ hasText: /ceiling/ }).waitFor();
    await shot("11-script-settings");
  }, 30_000);

  test("invite a user and add them as a member", async () => {
    await page.getByRole("link", { name: "Users" }).click();
    await page.getByRole("button", { name: "+ Invite user" }).click();
    await page.getByLabel("Username").fill("bob");
    await page.getByLabel("Email").fill("bob@example.com");
    await page.getByRole("button", { name: "Create user" }).click();
    const password = await page.getByTestId("shown-password").textContent();
    expect(password?.length).toBeGreaterThanOrEqual(20);
    bobPassword = password!;
    await shot("12-users-password-once");
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByTestId("users-table").getByText("bob", { exact: true }).waitFor();
    await shot("13-users");

    await page.goto(`${base}/admin/apps/demo-app/members`);
    // Search by email prefix; the suggestion shows the username only.
    await page.getByLabel("User", { exact: true }).fill("bob@");
    await page.getByRole("option").getByRole("button", { name: "bob", exact: true }).click();
    await page.getByLabel("Role").selectOption("editor");
    await page.getByRole("button", { name: "Add member" }).click();
    const row = page.getByTestId("member-row").filter({ hasText: "bob" });
    await row.waitFor();
    expect(await row.textContent()).toContain("editor");
    await shot("14-app-members");
  }, 30_000);

  test("mint an API key: the token is shown once", async () => {
    await page.getByRole("link", { name: "API keys" }).first().click();
    await page.getByRole("button", { name: /New API key|Create an API key/ }).first().click();
    await page.getByLabel("Name").fill("ci");
    await page.getByRole("dialog").locator("select").selectOption({ label: "demo-app" });
    await page.getByRole("button", { name: "Create key" }).click();
    const token = await page.getByTestId("minted-token").textContent();
    expect(token).toMatch(/^pic_/);
    await shot("15-api-key-once");
    await page.getByRole("button", { name: "Done" }).click();
    const table = page.getByTestId("keys-table");
    await table.getByText("ci", { exact: true }).waitFor();
    expect(await table.textContent()).not.toContain(token!);
    // The key works against the API, bound to the app.
    const res = await pic.api("GET", "/api/v1/admin/apps", undefined, { token });
    expect(res.status).toBe(200);
    await shot("16-api-keys");
  }, 30_000);

  test("overview, app settings with the delete dialog, profile", async () => {
    await page.goto(`${base}/admin/apps/demo-app`);
    await page.getByText("Last 24 hours", { exact: true }).waitFor();
    await page.locator("svg[role=img]").waitFor();
    await shot("17-app-overview-activity");
    await page.getByRole("link", { name: "Settings" }).click();
    await page.getByRole("button", { name: "Delete app…" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("greet").first().waitFor();
    expect(await dialog.textContent()).toContain("127.0.0.1");
    expect(await page.getByTestId("confirm-button").isDisabled()).toBe(true);
    await page.getByTestId("confirm-input").fill("demo-app");
    expect(await page.getByTestId("confirm-button").isDisabled()).toBe(false);
    await shot("18-app-delete-dialog");
    await dialog.getByRole("button", { name: "Cancel" }).click();

    // Rename: check the slug first, then rename; the old slug keeps working.
    await page.getByLabel("New slug").fill("demo");
    await page.getByRole("button", { name: "Check" }).click();
    await page.getByText("“demo” is available.").waitFor();
    await page.getByRole("button", { name: "Rename" }).click();
    await page.waitForURL(`${base}/admin/apps/demo/settings`);
    await page.goto(`${base}/admin/apps/demo-app`);
    await page.waitForURL(`${base}/admin/apps/demo`);
    await page.getByRole("heading", { name: "Demo App" }).waitFor();

    await page.getByTestId("user-menu").click();
    await page.getByRole("menuitem", { name: "Profile" }).click();
    await page.getByRole("heading", { name: "Profile" }).waitFor();
    await shot("19-profile");
  }, 30_000);

  test("sign out", async () => {
    await page.getByTestId("user-menu").click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await page.getByTestId("sign-in").waitFor();
    await page.reload();
    await page.getByTestId("sign-in").waitFor();
    await shot("20-signed-out");
  }, 30_000);

  test("a member (editor of one app) sees that app only, without admin pages", async () => {
    await page.getByLabel("Username").fill("bob");
    await page.getByLabel("Password").fill(bobPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Apps" }).waitFor();
    const cards = page.getByTestId("app-card");
    await cards.first().waitFor();
    expect(await cards.count()).toBe(1);
    expect(await cards.first().textContent()).toContain("demo");
    expect(await page.getByRole("link", { name: "Users" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "+ New app" }).count()).toBe(0);
    await shot("21-member-apps");
    await cards.first().click();
    await page.getByRole("heading", { name: "Demo App" }).waitFor();
    expect(await page.getByRole("link", { name: "Members" }).count()).toBe(0);
    await page.getByRole("link", { name: "Scripts" }).click();
    await page.getByRole("button", { name: "+ New script" }).waitFor();
    await shot("22-member-app-scripts");
    await page.getByTestId("user-menu").click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await page.getByTestId("sign-in").waitFor();
  }, 30_000);

  test("an app admin who is an instance member finds and adds a user by search", async () => {
    // Set up through the API as the owner: bob becomes app_admin of demo (renamed from demo-app), carol exists.
    const apps = (await pic.api("GET", "/api/v1/admin/apps")).body as { id: string; slug: string }[];
    const demo = apps.find((a) => a.slug === "demo")!;
    const users = (await pic.api("GET", "/api/v1/admin/admins")).body as { id: string; username: string }[];
    const bob = users.find((u) => u.username === "bob")!;
    expect((await pic.api("PATCH", `/api/v1/admin/apps/${demo.id}/members/${bob.id}`, { role: "app_admin" })).status).toBe(200);
    expect((await pic.api("POST", "/api/v1/admin/admins", { username: "carol", password: "carol-pass-1", email: "carol@example.com" })).status).toBe(201);

    await page.getByLabel("Username").fill("bob");
    await page.getByLabel("Password").fill(bobPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Apps" }).waitFor();
    await page.goto(`${base}/admin/apps/demo/members`);
    await page.getByLabel("User", { exact: true }).fill("CAR");
    await page.getByRole("option").getByRole("button", { name: "carol", exact: true }).click();
    await page.getByRole("button", { name: "Add member" }).click();
    await page.getByTestId("member-row").filter({ hasText: "carol" }).waitFor();
    await shot("23-app-admin-member-search");
    await page.getByTestId("user-menu").click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await page.getByTestId("sign-in").waitFor();
  }, 30_000);
});
