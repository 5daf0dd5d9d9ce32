// Apps: the tenants. Slugs are validated and renames leave a permanent
// redirect behind; deleting a non-empty app needs `force` (DESIGN §5).
import type { Authorizer, AppRole, Capability, Principal } from "../auth/capabilities.ts";
import { type Db, isUniqueViolation, type Queryable } from "../db/db.ts";
import * as q from "../db/queries/apps.ts";
import { invalid, notFound, PicloudError } from "../errors.ts";
import { isUuid } from "../auth/ids.ts";
import { ROUTE_TABLE_CHANNEL } from "./route-table-channel.ts";
import { slugFromName, slugProblem } from "./slugs.ts";

export type App = q.AppRow;

export interface AppInput {
  slug?: string;
  name?: string;
  description?: string;
}

/** An app found by id or slug; `moved` when the caller used a slug the app has since left. */
export interface Located {
  app: App;
  moved: boolean;
}

export interface SlugCheck {
  slug: string;
  valid: boolean;
  available: boolean;
  reason: string | null;
  /** The app holding the slug, when it is taken (live or as a redirect). */
  app_id: string | null;
}

const MAX_NAME = 100;
const MAX_DESCRIPTION = 2000;

function cleanName(v: unknown, field: string): string {
  if (typeof v !== "string") throw invalid(field, "must be a string");
  const s = v.trim();
  if (s.length < 1 || s.length > MAX_NAME) throw invalid(field, `must be 1–${MAX_NAME} characters`);
  return s;
}

function cleanDescription(v: unknown): string {
  if (typeof v !== "string") throw invalid("description", "must be a string");
  if (v.length > MAX_DESCRIPTION) throw invalid("description", `must be at most ${MAX_DESCRIPTION} characters`);
  return v;
}

function checkSlug(slug: unknown): string {
  if (typeof slug !== "string") throw invalid("slug", "must be a string");
  const problem = slugProblem(slug);
  if (problem) throw invalid("slug", problem);
  return slug;
}

export function createApps({ db, auth }: { db: Db; auth: Authorizer }) {
  /** By id, by current slug, then by former slug. */
  async function locateRaw(qx: Queryable, idOrSlug: string): Promise<Located | null> {
    if (isUuid(idOrSlug)) {
      const app = await q.findApp(qx, idOrSlug.toLowerCase());
      return app && { app, moved: false };
    }
    // Postgres text cannot hold NUL: such a slug names no app (and would be a driver error, a 500).
    if (/\0/.test(idOrSlug)) return null;
    const app = await q.findAppBySlug(qx, idOrSlug);
    if (app) return { app, moved: false };
    const old = await q.findAppByOldSlug(qx, idOrSlug);
    return old && { app: old, moved: true };
  }

  /** Loads the app, then checks `capability` on it: unknown and invisible apps are both a 404. */
  async function locate(principal: Principal | null, idOrSlug: string, capability: Capability): Promise<Located> {
    if (!principal) throw new PicloudError("unauthorized", "sign in or send an API key");
    const found = await locateRaw(db, idOrSlug);
    if (!found) throw notFound("app");
    await auth.require(principal, capability, found.app.id);
    return found;
  }

  /** Refuses a slug another app holds, live or as a redirect; an app may take back its own old slug. */
  async function ensureSlugFree(qx: Queryable, slug: string, appId: string | null): Promise<void> {
    const holder = await q.findSlugHolder(qx, slug);
    if (holder && holder.app_id !== appId) {
      throw new PicloudError(
        "conflict",
        holder.current ? `slug '${slug}' is taken by another app` : `slug '${slug}' redirects to app '${holder.slug}'`,
        { field: "slug", app_id: holder.app_id },
      );
    }
  }

  async function slugCheck(appId: string | null, slug: string): Promise<SlugCheck> {
    const problem = slugProblem(slug);
    if (problem) return { slug, valid: false, available: false, reason: problem, app_id: null };
    const holder = await q.findSlugHolder(db, slug);
    if (holder && holder.app_id !== appId) {
      const reason = holder.current ? "taken by another app" : `kept as a redirect to app '${holder.slug}'`;
      return { slug, valid: true, available: false, reason, app_id: holder.app_id };
    }
    return { slug, valid: true, available: true, reason: null, app_id: null };
  }

  const conflictOnRace = (e: unknown, slug: string): never => {
    if (isUniqueViolation(e)) throw new PicloudError("conflict", `slug '${slug}' is taken by another app`, { field: "slug" });
    throw e;
  };

  /** Creation rules without the capability check (the fresh-install seed). */
  async function createUnchecked(input: AppInput, qx: Queryable = db): Promise<App> {
    if (input.slug === undefined && input.name === undefined) throw invalid("slug", "give a slug or a name");
    const name = input.name === undefined ? String(input.slug) : cleanName(input.name, "name");
    const slug = checkSlug(input.slug ?? slugFromName(name));
    const description = input.description === undefined ? "" : cleanDescription(input.description);
    await ensureSlugFree(qx, slug, null);
    return q.insertApp(qx, { slug, name, description }).catch((e) => conflictOnRace(e, slug));
  }

  return {
    locate,

    /** App id for an id, slug or former slug; null when none (members and API keys resolve paths with it). */
    async resolveId(idOrSlug: string): Promise<string | null> {
      return (await locateRaw(db, idOrSlug))?.app.id ?? null;
    },

    /** Without authorization: for the seed, the data plane and other services. */
    findById: (id: string) => (isUuid(id) ? q.findApp(db, id) : Promise.resolve(null)),
    findBySlug: (slug: string) => q.findAppBySlug(db, slug),

    async list(principal: Principal | null): Promise<App[]> {
      // Without an app id this checks only the credential (401) and an API key's scope (403).
      const p = await auth.require(principal, "app:read");
      return q.listApps(db, await auth.visibleAppIds(p));
    },

    async get(principal: Principal | null, idOrSlug: string): Promise<Located & { my_role: AppRole | null }> {
      const found = await locate(principal, idOrSlug, "app:read");
      return { ...found, my_role: await auth.appRole(principal!, found.app.id) };
    },

    async create(principal: Principal | null, input: AppInput): Promise<App> {
      await auth.require(principal, "app:create");
      return createUnchecked(input);
    },

    createUnchecked,

    async checkSlug(principal: Principal | null, idOrSlug: string, slug: unknown): Promise<SlugCheck> {
      const { app } = await locate(principal, idOrSlug, "app:update");
      if (typeof slug !== "string") throw invalid("slug", "must be a string");
      return slugCheck(app.id, slug);
    },

    async update(principal: Principal | null, idOrSlug: string, patch: AppInput): Promise<App> {
      const { app } = await locate(principal, idOrSlug, "app:update");
      const next = {
        slug: patch.slug === undefined ? app.slug : checkSlug(patch.slug),
        name: patch.name === undefined ? app.name : cleanName(patch.name, "name"),
        description: patch.description === undefined ? app.description : cleanDescription(patch.description),
      };
      const updated = await db
        .transaction(async (tx) => {
          if (next.slug !== app.slug) {
            await ensureSlugFree(tx, next.slug, app.id);
            await q.deleteSlugHistory(tx, app.id, next.slug);
            await q.insertSlugHistory(tx, app.id, app.slug);
          }
          return q.updateApp(tx, app.id, next);
        })
        .catch((e) => conflictOnRace(e, next.slug));
      if (!updated) throw notFound("app");
      if (next.slug !== app.slug) await db.notify(ROUTE_TABLE_CHANNEL, app.id);
      return updated;
    },

    /** Refuses a non-empty app unless `force`, which removes it and everything in it in one transaction. */
    async delete(principal: Principal | null, idOrSlug: string, force: boolean): Promise<void> {
      const { app } = await locate(principal, idOrSlug, "app:delete");
      await db.transaction(async (tx) => {
        if (!force) {
          const contents = await q.countAppContents(tx, app.id);
          if (contents.script_count > 0 || contents.domains.length > 0) {
            throw new PicloudError(
              "conflict",
              `app '${app.slug}' has ${contents.script_count} script(s) and ${contents.domains.length} domain(s); delete with ?force=true to remove them too`,
              contents,
            );
          }
        }
        await q.deleteApp(tx, app.id);
      });
      await db.notify(ROUTE_TABLE_CHANNEL, app.id);
    },
  };
}

export type Apps = ReturnType<typeof createApps>;
