// The first owner: from the environment, or generated (printed once, 0600 file);
// inert once any user exists; reset-password without HTTP.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bootstrapOwner, INITIAL_PASSWORD_FILE } from "../../src/auth/bootstrap.ts";
import { resetPassword } from "../../src/auth/reset-password.ts";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { eachDriver, startPicloud } from "../support/picloud.ts";

eachDriver((driver) => {
  describe(`${driver}: first owner from the environment`, () => {
    const pic = startPicloud({ driver });
    const adm = (method: string, path: string, body?: unknown, token?: string) =>
      pic.api(method, `/api/v1/admin${path}`, body, { token: token ?? null });

    test("PICLOUD_ADMIN_USERNAME/PASSWORD create the owner; no password file is written", async () => {
      const r = await adm("POST", "/auth/login", { username: pic.admin.username, password: pic.admin.password });
      expect([r.status, r.body.user.instance_role]).toEqual([200, "owner"]);
      expect(() => statSync(join(pic.services.config.dataDir, INITIAL_PASSWORD_FILE))).toThrow();
    });

    test("bootstrap is inert once a user exists, whatever the variables say", async () => {
      const config = loadConfig({
        PICLOUD_DATA_DIR: pic.services.config.dataDir,
        PICLOUD_ADMIN_USERNAME: "intruder",
        PICLOUD_ADMIN_PASSWORD: "intruder-password",
      });
      const printed: string[] = [];
      const result = await bootstrapOwner({ db: pic.db, config, log: silentLogger, print: (t) => printed.push(t) });
      expect(result.created).toBe(false);
      expect(printed).toEqual([]);
      expect((await adm("POST", "/auth/login", { username: "intruder", password: "intruder-password" })).status).toBe(401);
      const users = (await adm("GET", "/admins", undefined, await pic.login())).body;
      expect(users.map((u: any) => u.username)).toEqual([pic.admin.username]);
    });

    test("reset-password works on the database without HTTP and ends the user's sessions", async () => {
      const before = await pic.login();
      const password = await resetPassword(pic.db, pic.admin.username);
      expect(password.length).toBeGreaterThanOrEqual(20);
      // The CLI is another process in real life: the server learns of it through NOTIFY, which
      // arrives asynchronously (the session cache's 10 s TTL bounds it should it be lost).
      let status = 0;
      for (let i = 0; i < 100 && status !== 401; i++) {
        status = (await adm("GET", "/auth/me", undefined, before)).status;
        if (status !== 401) await Bun.sleep(20);
      }
      expect(status).toBe(401);
      expect((await adm("POST", "/auth/login", { username: pic.admin.username, password: pic.admin.password })).status).toBe(401);
      const r = await adm("POST", "/auth/login", { username: pic.admin.username, password });
      expect(r.status).toBe(200);
      await expect(resetPassword(pic.db, "nobody")).rejects.toMatchObject({ code: "not_found" });
    });
  });

  describe(`${driver}: first owner generated`, () => {
    // Empty means unset (config.ts): the server must generate a password.
    const pic = startPicloud({ driver, env: { PICLOUD_ADMIN_PASSWORD: "" } });

    test("the generated password is in a 0600 file in the data dir, and it works", async () => {
      const file = join(pic.services.config.dataDir, INITIAL_PASSWORD_FILE);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const text = await Bun.file(file).text();
      const username = /username: (\S+)/.exec(text)![1]!;
      const password = /password: (\S+)/.exec(text)![1]!;
      expect(password.length).toBeGreaterThanOrEqual(20);
      const r = await pic.api("POST", "/api/v1/admin/auth/login", { username, password }, { token: null });
      expect([r.status, r.body.user.instance_role]).toEqual([200, "owner"]);
    });
    test("the password is printed once, with the login URL; a second bootstrap prints nothing", async () => {
      // Start over on this database: no users at all.
      await pic.db.query("DELETE FROM users");
      const dataDir = mkdtempSync(join(tmpdir(), "picloud-boot-"));
      const config = loadConfig({ PICLOUD_DATA_DIR: dataDir, PICLOUD_PUBLIC_URL: "https://pi.example.test:8443/" });
      const printed: string[] = [];
      const print = (t: string) => printed.push(t);
      const first = await bootstrapOwner({ db: pic.db, config, log: silentLogger, print });
      expect(first).toMatchObject({ created: true, username: "admin" });
      const password = /password: (\S+)/.exec(await Bun.file(join(dataDir, INITIAL_PASSWORD_FILE)).text())![1]!;
      expect(printed).toHaveLength(1);
      expect(printed[0]).toContain(password);
      expect(printed[0]).toContain("https://pi.example.test:8443/admin/");
      expect(statSync(join(dataDir, INITIAL_PASSWORD_FILE)).mode & 0o777).toBe(0o600);
      const second = await bootstrapOwner({ db: pic.db, config, log: silentLogger, print });
      expect(second.created).toBe(false);
      expect(printed).toHaveLength(1);
      const r = await pic.api("POST", "/api/v1/admin/auth/login", { username: "admin", password }, { token: null });
      expect(r.status).toBe(200);
      rmSync(dataDir, { recursive: true, force: true });
    });
  });
});
