// App memberships: how a `member` reaches an app (viewer / editor / app_admin).
import { isAppRole, type AppRole, type Principal } from "../auth/capabilities.ts";
import { isUuid } from "../auth/ids.ts";
import type { Auth } from "../auth/index.ts";
import type { Db } from "../db/db.ts";
import {
  deleteMember, findMember, listMembers, tryInsertMember, updateMemberRole, type MemberDetail,
} from "../db/queries/members.ts";
import { findUser, searchMemberCandidates } from "../db/queries/users.ts";
import { PicloudError, invalid, notFound } from "../errors.ts";
import { objectBody } from "./object-body.ts";

/** Longest accepted search prefix (a username is at most 64 characters). */
export const CANDIDATE_QUERY_MAX = 64;
const CANDIDATE_LIMIT = 10;

function validateRole(v: unknown): AppRole {
  if (!isAppRole(v)) throw invalid("role", "must be viewer, editor or app_admin");
  return v;
}

export function createMembers({ db, auth, resolveAppId }: {
  db: Db;
  auth: Auth;
  /** App id or slug from the path → the app's id, or null (core's apps). */
  resolveAppId: (idOrSlug: string) => Promise<string | null>;
}) {
  /** Loads the app named in the path, then checks the capability on it (404 if invisible). */
  async function appFor(principal: Principal | null, idOrSlug: string, capability: "members:read" | "members:manage") {
    if (!principal) await auth.require(principal, capability); // 401 before revealing anything
    const appId = await resolveAppId(idOrSlug);
    if (!appId) throw notFound("app");
    await auth.require(principal, capability, appId);
    return appId;
  }

  return {
    async list(principal: Principal | null, app: string): Promise<MemberDetail[]> {
      return listMembers(db, await appFor(principal, app, "members:read"));
    },

    /**
     * Users an app admin may add: active instance members not yet in the app whose
     * username or email starts with `q`. Lets an app admin who cannot list users
     * (instance role member) find someone; answers `{id, username}` only, never emails.
     */
    async candidates(principal: Principal | null, app: string, q: unknown): Promise<{ id: string; username: string }[]> {
      const appId = await appFor(principal, app, "members:manage");
      if (typeof q !== "string" || q.trim() === "") throw invalid("q", "is required: the start of a username or email");
      const prefix = q.trim();
      if (prefix.length > CANDIDATE_QUERY_MAX) throw invalid("q", `at most ${CANDIDATE_QUERY_MAX} characters`);
      return searchMemberCandidates(db, appId, prefix, CANDIDATE_LIMIT);
    },

    /** 201; 409 if already a member (promotion is PATCH); 422 for an unknown, inactive or non-member user. */
    async add(principal: Principal | null, app: string, input: unknown): Promise<MemberDetail> {
      const appId = await appFor(principal, app, "members:manage");
      const b = objectBody(input);
      const role = validateRole(b.role);
      const user = isUuid(b.user_id) ? await findUser(db, b.user_id) : null;
      if (!user) throw invalid("user_id", "no such user");
      if (!user.is_active) throw invalid("user_id", "the user is deactivated");
      // Owners and admins already hold app_admin everywhere; a row for them would be dead weight.
      if (user.instance_role !== "member") throw invalid("user_id", `the user is an instance ${user.instance_role} and needs no membership`);
      const row = await tryInsertMember(db, appId, user.id, role);
      if (!row) throw new PicloudError("conflict", "the user is already a member; change the role with PATCH", { user_id: user.id });
      return (await findMember(db, appId, user.id))!;
    },

    async update(principal: Principal | null, app: string, userId: string, input: unknown): Promise<MemberDetail> {
      const appId = await appFor(principal, app, "members:manage");
      const role = validateRole(objectBody(input).role);
      if (!isUuid(userId) || !(await updateMemberRole(db, appId, userId, role))) throw notFound("membership");
      return (await findMember(db, appId, userId))!;
    },

    /** Idempotent: 204 whether or not the membership existed. */
    async remove(principal: Principal | null, app: string, userId: string): Promise<void> {
      const appId = await appFor(principal, app, "members:manage");
      if (isUuid(userId)) await deleteMember(db, appId, userId);
    },
  };
}

export type Members = ReturnType<typeof createMembers>;
