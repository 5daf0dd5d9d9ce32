// Accounts (`admins` endpoints): who may create, change and remove users, and the
// guards that keep an instance administrable (issue #4, DESIGN §7).
import type { Auth } from "../auth/index.ts";
import { isInstanceRole, type InstanceRole, type Principal } from "../auth/capabilities.ts";
import { isUuid } from "../auth/ids.ts";
import { hashPassword, validatePassword } from "../auth/passwords.ts";
import { type Db, type Queryable, isUniqueViolation } from "../db/db.ts";
import { expireApiKeysForUser } from "../db/queries/api-keys.ts";
import { deleteSessionsForUser } from "../db/queries/sessions.ts";
import {
  deleteUser, findUser, findUserByEmail, findUserByUsername, findUserForUpdate, insertUser, listUsers, lockActiveOwners, updateUser,
  type UserChanges, type UserRow,
} from "../db/queries/users.ts";
import { PicloudError, invalid, notFound } from "../errors.ts";
import { objectBody } from "./object-body.ts";

const USERNAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i;
// Deliberately loose: one "@", something on each side, a dot in the domain. Real
// verification would be a mail round trip, which PiCloud does not do for admins.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export type UserView = UserRow;

function validateUsername(v: unknown): string {
  if (typeof v !== "string" || !USERNAME.test(v.trim())) {
    throw invalid("username", "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
  }
  return v.trim();
}

/** Trimmed; blank means "no email"; otherwise it must look like an address. */
export function normalizeEmail(v: unknown): string | null {
  if (v === null) return null;
  if (typeof v !== "string") throw invalid("email", "must be a string or null");
  const email = v.trim();
  if (email === "") return null;
  if (email.length > 254 || !EMAIL.test(email)) throw invalid("email", "is not a valid email address");
  return email;
}

function validateRole(v: unknown): InstanceRole {
  if (!isInstanceRole(v)) throw invalid("instance_role", "must be owner, admin or member");
  return v;
}

function validateActive(v: unknown): boolean {
  if (typeof v !== "boolean") throw invalid("is_active", "must be true or false");
  return v;
}

const forbidden = (message: string) => new PicloudError("forbidden", message);

export function createUsers({ db, auth }: { db: Db; auth: Auth }) {
  async function assertUnique(q: Queryable, c: { username?: string; email?: string | null }, selfId?: string) {
    if (c.username !== undefined) {
      const other = await findUserByUsername(q, c.username);
      if (other && other.id !== selfId) throw new PicloudError("conflict", `username ${c.username} is taken`, { field: "username", user_id: other.id });
    }
    if (c.email) {
      const other = await findUserByEmail(q, c.email);
      if (other && other.id !== selfId) throw new PicloudError("conflict", `email ${c.email} is taken`, { field: "email", user_id: other.id });
    }
  }

  /** A unique index can still trip under a race the pre-check missed: answer 409, not 500. */
  const uniqueToConflict = (e: unknown): never => {
    if (isUniqueViolation(e)) {
      const field = e.constraint?.includes("email") ? "email" : "username";
      throw new PicloudError("conflict", `${field} is taken`, { field });
    }
    throw e;
  };

  /** Throws 409 if removing `targetId` from the active owners would leave none. */
  async function guardLastOwner(tx: Queryable, targetId: string) {
    const owners = await lockActiveOwners(tx);
    if (owners.length <= 1 && owners.includes(targetId)) {
      throw new PicloudError("conflict", "the last active owner cannot be removed, deactivated or demoted", { user_id: targetId });
    }
  }

  /** Ends every way the user could still act: sessions now, keys now (and in every node's cache). */
  async function endAccess(tx: Queryable, userId: string) {
    await deleteSessionsForUser(tx, userId);
    await expireApiKeysForUser(tx, userId);
  }

  async function loadTarget(principal: Principal, id: string, tx: Queryable): Promise<UserRow> {
    const target = isUuid(id) ? await findUserForUpdate(tx, id) : null;
    if (!target) throw notFound("user");
    // Admins manage non-owner users; an owner account is only an owner's to change.
    if (target.instance_role === "owner" && principal.instanceRole !== "owner") {
      throw forbidden("only an owner can change or remove an owner");
    }
    return target;
  }

  return {
    async list(principal: Principal | null): Promise<UserView[]> {
      await auth.require(principal, "users:read");
      return listUsers(db);
    },

    async get(principal: Principal | null, id: string): Promise<UserView> {
      await auth.require(principal, "users:read");
      const user = isUuid(id) ? await findUser(db, id) : null;
      if (!user) throw notFound("user");
      return user;
    },

    async create(principal: Principal | null, input: unknown): Promise<UserView> {
      const p = await auth.require(principal, "users:manage");
      const b = objectBody(input);
      const username = validateUsername(b.username);
      const email = b.email === undefined ? null : normalizeEmail(b.email);
      const password = validatePassword(b.password);
      const instanceRole = b.instance_role === undefined ? "member" : validateRole(b.instance_role);
      if (instanceRole === "owner" && p.instanceRole !== "owner") throw forbidden("only an owner can grant the owner role");
      const passwordHash = await hashPassword(password);
      try {
        return await db.transaction(async (tx) => {
          await assertUnique(tx, { username, email });
          return insertUser(tx, { username, email, passwordHash, instanceRole });
        });
      } catch (e) {
        return uniqueToConflict(e);
      }
    },

    /**
     * JSON Merge Patch (RFC 7396): an absent field is kept, `email: null` clears it.
     * Anyone may change their own email and password (with a session); everything
     * else needs `users:manage`, and owner-related changes need an owner.
     */
    async update(principal: Principal | null, id: string, input: unknown): Promise<UserView> {
      if (!principal) throw new PicloudError("unauthorized", "authentication required");
      const p = principal;
      const b = objectBody(input);
      // Rights first, from the fields present: an unauthorised caller learns nothing from
      // validation and costs no argon2 hash.
      const selfService = id === p.userId && p.via.kind === "session" &&
        b.username === undefined && b.instance_role === undefined && b.is_active === undefined;
      if (!selfService) await auth.require(p, "users:manage");
      if (b.instance_role === "owner" && p.instanceRole !== "owner") throw forbidden("only an owner can grant the owner role");

      const changes: UserChanges = {};
      if (b.username !== undefined) changes.username = validateUsername(b.username);
      if (b.email !== undefined) changes.email = normalizeEmail(b.email);
      if (b.instance_role !== undefined) changes.instanceRole = validateRole(b.instance_role);
      if (b.is_active !== undefined) changes.isActive = validateActive(b.is_active);
      if (b.password !== undefined) changes.passwordHash = await hashPassword(validatePassword(b.password));

      let endedAccess = false;
      try {
        const updated = await db.transaction(async (tx) => {
          const target = selfService ? await findUserForUpdate(tx, id) : await loadTarget(p, id, tx);
          if (!target) throw notFound("user");
          const demoted = changes.instanceRole !== undefined && changes.instanceRole !== "owner";
          const deactivated = changes.isActive === false;
          if (target.instance_role === "owner" && target.is_active && (demoted || deactivated)) {
            await guardLastOwner(tx, target.id);
          }
          await assertUnique(tx, { username: changes.username, email: changes.email }, target.id);
          const row = await updateUser(tx, target.id, changes);
          if (deactivated && target.is_active) {
            await endAccess(tx, target.id);
            endedAccess = true;
          }
          return row!;
        });
        // Cached sessions and keys carry the role and username: a change must not outlive them on any node.
        if (endedAccess || changes.instanceRole !== undefined || changes.username !== undefined) await auth.invalidate();
        return updated;
      } catch (e) {
        return uniqueToConflict(e);
      }
    },

    async remove(principal: Principal | null, id: string): Promise<void> {
      const p = await auth.require(principal, "users:manage");
      await db.transaction(async (tx) => {
        const target = await loadTarget(p, id, tx);
        if (target.instance_role === "owner" && target.is_active) await guardLastOwner(tx, target.id);
        await deleteUser(tx, target.id); // sessions, keys and memberships cascade
      });
      await auth.invalidate();
    },
  };
}

export type Users = ReturnType<typeof createUsers>;
