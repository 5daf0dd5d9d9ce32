import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataDirLockedError, lockDataDir } from "../../src/db/pglite-lock.ts";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "picloud-lock-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

test("a data dir held by another live process is refused, naming it", async () => {
  const other = Bun.spawn(["sleep", "30"]);
  try {
    await writeFile(join(dir, "pglite.lock"), String(other.pid));
    const err = await lockDataDir(dir).catch((e) => e);
    expect(err).toBeInstanceOf(DataDirLockedError);
    expect(String(err.message)).toContain(String(other.pid));
  } finally {
    other.kill();
    await other.exited;
  }
});

test("a stale lock (dead process) is taken over, and release removes it", async () => {
  const gone = Bun.spawn(["true"]);
  await gone.exited;
  await writeFile(join(dir, "pglite.lock"), String(gone.pid));
  const release = await lockDataDir(dir);
  expect(await readFile(join(dir, "pglite.lock"), "utf8")).toBe(String(process.pid));
  await release();
  expect(await stat(join(dir, "pglite.lock")).then(() => true, () => false)).toBe(false);
});
