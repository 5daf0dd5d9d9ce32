// `picloud serve` as a person runs it: flags override the environment, the
// server answers /healthz, and SIGTERM stops it cleanly (exit 0).
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { createDatabase, dropDatabase, eachDriver } from "../support/picloud.ts";
import { tempDir } from "./support.ts";

// PGlite's first init alone takes seconds (tens on a busy machine).
const SLOW = 180_000;

const MAIN = join(import.meta.dir, "../../src/main.ts");
const TEST_DATABASE_URL = Bun.env.PICLOUD_TEST_DATABASE_URL || undefined;

eachDriver((driver) => {
  const dir = tempDir("picloud-cli-serve-");
  afterAll(() => dir.remove());

  test(`${driver}: serve --port 0 --host 127.0.0.1 --data-dir, then SIGTERM exits 0`, async () => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(Bun.env)) if (v !== undefined && !k.startsWith("PICLOUD_") && k !== "DATABASE_URL") env[k] = v;
    Object.assign(env, { PORT: "9", PICLOUD_ADMIN_PASSWORD: "serve-test-password-1", PICLOUD_WORKERS: "1", PICLOUD_DATA_DIR: "/nonexistent" });
    const database = driver === "postgres" ? await createDatabase(TEST_DATABASE_URL!) : null;
    if (database) env.DATABASE_URL = database.url;
    const proc = Bun.spawn(["bun", MAIN, "serve", "--port", "0", "--host", "127.0.0.1", "--data-dir", join(dir.path, "data")], {
      env,
      cwd: dir.path,
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      // The "listening" log line carries the URL: port 0 means the kernel chose it.
      let log = "";
      const decoder = new TextDecoder();
      let url: string | undefined;
      for await (const chunk of proc.stderr as unknown as AsyncIterable<Uint8Array>) {
        log += decoder.decode(chunk, { stream: true });
        const line = log.split("\n").find((l) => l.includes('"msg":"listening"'));
        if (line) {
          url = JSON.parse(line).url;
          break;
        }
      }
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(url).not.toEndWith(":9");
      const health = await fetch(`${url}/healthz`);
      expect(await health.text()).toBe("ok");
      proc.kill("SIGTERM");
      expect(await proc.exited).toBe(0);
    } finally {
      proc.kill("SIGKILL");
      if (database) await dropDatabase(database.base, database.name);
    }
  }, SLOW);
});

test("serve refuses a bad --port as a usage error", async () => {
  const proc = Bun.spawn(["bun", MAIN, "serve", "--port", "99999"], { stdout: "pipe", stderr: "pipe" });
  expect(await proc.exited).toBe(2);
  expect(await new Response(proc.stderr).text()).toContain("--port must be at most 65535");
});
