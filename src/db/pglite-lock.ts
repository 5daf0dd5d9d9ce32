// One process at a time on a PGlite data dir. PGlite has no postmaster.pid of
// its own, and two processes writing one cluster corrupt it (a second
// `picloud serve`, or `admin reset-password` while the server runs).
import { readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";

const LOCK_FILE = "pglite.lock";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else — still alive.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class DataDirLockedError extends Error {}

/** Takes the data dir's lock or throws naming the holder; returns the release function. */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = join(dataDir, LOCK_FILE);
  const mine = String(process.pid);
  try {
    await writeFile(path, mine, { flag: "wx", mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    const holder = Number.parseInt(await readFile(path, "utf8").catch(() => ""), 10);
    // Our own pid is a stale lock too: in a container PiCloud is often pid 1 on every start.
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
      throw new DataDirLockedError(
        `the data dir ${dataDir} is in use by process ${holder}; stop that PiCloud first (or remove ${path} if it is not running)`,
      );
    }
    await writeFile(path, mine, { mode: 0o600 });
  }
  return async () => {
    const current = await readFile(path, "utf8").catch(() => "");
    if (current === mine) await unlink(path).catch(() => {});
  };
}
