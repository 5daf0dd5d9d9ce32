// `picloud admin reset-password <username>`: works on the server's database
// directly, without HTTP, for the operator who locked themselves out.
import type { Db } from "../db/db.ts";
import { deleteSessionsForUser } from "../db/queries/sessions.ts";
import { findUserByUsername, updateUser } from "../db/queries/users.ts";
import { notFound } from "../errors.ts";
import { AUTH_INVALIDATE_CHANNEL } from "./channel.ts";
import { generatePassword, hashPassword } from "./passwords.ts";

/**
 * Sets a freshly generated password for `username` and returns it. Every session
 * of the user ends (whoever held the old password is logged out); API keys are
 * left alone, since they were minted deliberately and are revoked separately.
 */
export async function resetPassword(db: Db, username: string): Promise<string> {
  const user = await findUserByUsername(db, username);
  if (!user) throw notFound(`user ${username}`);
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  await db.transaction(async (tx) => {
    await updateUser(tx, user.id, { passwordHash });
    await deleteSessionsForUser(tx, user.id);
  });
  // A server sharing this database (PostgreSQL) drops its cached sessions at once.
  await db.notify(AUTH_INVALIDATE_CHANNEL, "*");
  return password;
}
