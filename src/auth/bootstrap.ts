// First owner (issue #4): on a database with no users, create the owner from
// PICLOUD_ADMIN_USERNAME/PASSWORD, or generate a password, print it once with the
// login URL and keep it in a 0600 file in the data dir. Inert once any user exists.
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config.ts";
import type { Db } from "../db/db.ts";
import { countUsers, insertUser } from "../db/queries/users.ts";
import type { Logger } from "../log.ts";
import { MIN_PASSWORD_LENGTH, generatePassword, hashPassword } from "./passwords.ts";

export const INITIAL_PASSWORD_FILE = "initial-admin-password.txt";
/** Serialises bootstrap across nodes sharing one database (an arbitrary, fixed advisory-lock key). */
const BOOTSTRAP_LOCK = 0x70_69_63_01;

export interface BootstrapResult {
  created: boolean;
  username?: string;
  /** Set only when the password was generated. */
  passwordFile?: string;
}

export async function bootstrapOwner(
  { db, config, log, print = (text: string) => process.stderr.write(text) }:
  { db: Db; config: Config; log: Logger; print?: (text: string) => void },
): Promise<BootstrapResult> {
  if ((await countUsers(db)) > 0) return { created: false };
  const username = config.admin.username ?? "admin";
  const generated = config.admin.password === undefined;
  const password = config.admin.password ?? generatePassword();
  const passwordHash = await hashPassword(password); // outside the transaction: PGlite runs one query at a time
  const created = await db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [BOOTSTRAP_LOCK]);
    if ((await countUsers(tx)) > 0) return false; // another node won the race
    await insertUser(tx, { username, email: null, passwordHash, instanceRole: "owner" });
    return true;
  });
  if (!created) return { created: false };
  if (!generated) {
    if (password.length < MIN_PASSWORD_LENGTH) {
      log.warn("PICLOUD_ADMIN_PASSWORD is shorter than the minimum for new passwords", { min: MIN_PASSWORD_LENGTH });
    }
    log.info("created the first owner from PICLOUD_ADMIN_USERNAME/PICLOUD_ADMIN_PASSWORD", { username });
    return { created: true, username };
  }
  mkdirSync(config.dataDir, { recursive: true });
  const passwordFile = join(config.dataDir, INITIAL_PASSWORD_FILE);
  writeFileSync(passwordFile, `username: ${username}\npassword: ${password}\n`, { mode: 0o600 });
  chmodSync(passwordFile, 0o600); // `mode` applies only when the file is new
  const loginUrl = `${(config.publicUrl ?? `http://localhost:${config.port}`).replace(/\/+$/, "")}/admin/`;
  print(
    [
      "",
      "  PiCloud created its first owner account. This password is shown once:",
      `    username: ${username}`,
      `    password: ${password}`,
      `    log in:   ${loginUrl}`,
      `  It is also in ${passwordFile} (mode 0600): delete that file once you have changed the password.`,
      "",
    ].join("\n") + "\n",
  );
  log.warn("generated a password for the first owner", { username, password_file: passwordFile, login_url: loginUrl });
  return { created: true, username, passwordFile };
}
