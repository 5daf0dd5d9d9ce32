// login / logout / whoami: the saved session (DESIGN §5 auth endpoints).
import { PicloudError } from "../../errors.ts";
import { ADMIN, createClient, responseError } from "../client.ts";
import { type CommandContext, type CommandSpec, DEFAULT_URL, str, usageError } from "../command.ts";
import { normalizeUrl } from "../credentials.ts";
import { type Column, renderObject } from "../output.ts";

interface User {
  id: string;
  username: string;
  email?: string | null;
  instance_role?: string;
  [k: string]: unknown;
}

const userColumns: Column<User & { url?: string }>[] = [
  { header: "username", value: (u) => u.username },
  { header: "instance_role", value: (u) => u.instance_role },
  { header: "email", value: (u) => u.email },
  { header: "id", value: (u) => u.id },
  { header: "url", value: (u) => u.url },
];

/** Lines of stdin, read once, for logins without a tty (`printf 'admin\npw\n' | picloud login`). */
async function stdinLines(ctx: CommandContext): Promise<string[]> {
  const text = new TextDecoder().decode(await ctx.io.readStdin());
  return text.split(/\r?\n/);
}

async function askCredentials(ctx: CommandContext, username: string | undefined) {
  if (ctx.io.stdinIsTty) {
    const user = username ?? (await ctx.io.prompt("Username: ", false)).trim();
    const password = await ctx.io.prompt("Password: ", true);
    return { username: user, password };
  }
  const lines = await stdinLines(ctx);
  const user = username ?? lines.shift()?.trim();
  const password = lines.shift();
  if (!user) throw usageError("no username: pass --username NAME, or pipe 'username\\npassword' on stdin");
  if (!password) throw usageError("no password on stdin: pipe it (`printf '%s\\n' \"$PASSWORD\" | picloud login -u NAME`) or run in a terminal");
  return { username: user, password };
}

const login: CommandSpec = {
  path: ["login"],
  summary: "Log in to a PiCloud server and save the session",
  usage: "[--url URL] [--username NAME] [--token TOKEN]",
  example: "picloud login --url http://raspberrypi.local:8080 --username admin",
  options: {
    url: { type: "string" },
    username: { type: "string", short: "u" },
    token: { type: "string" },
  },
  async run(ctx, { values }) {
    const saved = ctx.store.read();
    const url = normalizeUrl(str(values, "url") ?? ctx.env.url ?? saved?.url ?? DEFAULT_URL)!;
    let token = str(values, "token");
    let user: User;
    if (token) {
      // Check the token before saving it: a typo should fail now, not on the next command.
      try {
        user = await createClient(url, token).json<User>("GET", `${ADMIN}/auth/me`);
      } catch (e) {
        if (e instanceof PicloudError && e.code === "unauthorized") {
          throw new PicloudError("unauthorized", `the token was refused by ${url}: mint a new one (\`picloud api-keys mint\`) or log in with a password`);
        }
        throw e;
      }
    } else {
      const { username, password } = await askCredentials(ctx, str(values, "username"));
      const res = await createClient(url, undefined).raw("POST", `${ADMIN}/auth/login`, {
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ username, password }),
      });
      const body = await res.json().catch(() => null);
      if (!res.ok) {
        const e = responseError(res.status, body, { loginHint: "", authenticated: true });
        const serverMessage = (body as { error?: { message?: string } } | null)?.error?.message ?? `HTTP ${res.status}`;
        throw new PicloudError(e.code, `login failed: ${serverMessage}`, e.details);
      }
      const answer = body as { token: string; user: User };
      token = answer.token;
      user = answer.user;
    }
    ctx.store.write({ url, token, username: user.username, saved_at: new Date().toISOString() });
    if (ctx.output === "json") ctx.io.out(renderObject("json", { url, user, credentials: ctx.store.path }, []));
    else ctx.io.out(`Logged in to ${url} as ${user.username} (saved to ${ctx.store.path})\n`);
    if (ctx.env.token) ctx.io.err("note: PICLOUD_TOKEN is set and overrides the saved login\n");
  },
};

const logout: CommandSpec = {
  path: ["logout"],
  summary: "Revoke the session on the server and forget it locally",
  example: "picloud logout",
  async run(ctx) {
    const saved = ctx.store.read();
    const target = ctx.target();
    if (!target.url || !target.token) {
      const removed = ctx.store.clear();
      ctx.io.out(removed ? "Forgot a login for another server\n" : "Not logged in\n");
      return;
    }
    const res = await createClient(target.url, target.token).raw("POST", `${ADMIN}/auth/logout`, {
      headers: { accept: "application/json" },
    });
    // 401 means the server already forgot it: logging out is still done.
    if (!res.ok && res.status !== 401) {
      throw responseError(res.status, await res.json().catch(() => null), { loginHint: "", authenticated: true });
    }
    if (saved && saved.token === target.token) ctx.store.clear();
    if (ctx.output === "json") ctx.io.out(renderObject("json", { url: target.url, logged_out: true }, []));
    else ctx.io.out(`Logged out of ${target.url}\n`);
  },
};

const whoami: CommandSpec = {
  path: ["whoami"],
  summary: "Show who you are logged in as, and where",
  example: "picloud whoami",
  async run(ctx) {
    const client = ctx.api();
    const user = await client.json<User>("GET", `${ADMIN}/auth/me`);
    ctx.io.out(renderObject(ctx.output, ctx.output === "json" ? user : { ...user, url: client.url }, userColumns));
  },
};

export const authCommands = [login, logout, whoami];
