// Domains: which hosts an app answers on. Claims are unique across apps; a
// collision names the other app (DESIGN §5).
import type { Principal } from "../auth/capabilities.ts";
import { type Db, isUniqueViolation } from "../db/db.ts";
import * as q from "../db/queries/domains.ts";
import { invalid, notFound, PicloudError } from "../errors.ts";
import type { Apps } from "./apps.ts";
import { domainProblem } from "./host-match.ts";
import { isUuid } from "../auth/ids.ts";
import { ROUTE_TABLE_CHANNEL } from "./route-table-channel.ts";

export type Domain = q.DomainRow;

/** `Example.com.` → `example.com`. */
export function cleanDomain(v: unknown): string {
  if (typeof v !== "string") throw invalid("domain", "must be a string");
  const d = v.trim().toLowerCase().replace(/\.$/, "");
  const problem = domainProblem(d);
  if (problem) throw invalid("domain", problem);
  return d;
}

export function createDomains({ db, apps }: { db: Db; apps: Apps }) {
  async function collision(domain: string, appId: string): Promise<PicloudError> {
    const other = await q.findDomainClaim(db, domain);
    if (other && other.app_id !== appId) {
      return new PicloudError("conflict", `domain '${domain}' is claimed by app '${other.app_slug}'`, {
        field: "domain",
        app_id: other.app_id,
        app_slug: other.app_slug,
      });
    }
    return new PicloudError("conflict", `domain '${domain}' is already claimed by this app`, {
      field: "domain",
      domain_id: other?.id,
    });
  }

  async function addUnchecked(appId: string, domain: string): Promise<Domain> {
    const clean = cleanDomain(domain);
    if (await q.findDomainClaim(db, clean)) throw await collision(clean, appId);
    const row = await q.insertDomain(db, appId, clean).catch(async (e) => {
      if (isUniqueViolation(e)) throw await collision(clean, appId);
      throw e;
    });
    await db.notify(ROUTE_TABLE_CHANNEL, appId);
    return row;
  }

  return {
    addUnchecked,

    /** Every claim of every app, for the data plane's host table. */
    listAll: () => q.listAllDomains(db),

    async list(principal: Principal | null, appIdOrSlug: string) {
      const { app, moved } = await apps.locate(principal, appIdOrSlug, "app:read");
      return { app, moved, domains: await q.listDomains(db, app.id) };
    },

    async add(principal: Principal | null, appIdOrSlug: string, body: { domain?: unknown }) {
      const { app, moved } = await apps.locate(principal, appIdOrSlug, "domains:manage");
      if (moved) return { app, moved, domain: null };
      return { app, moved, domain: await addUnchecked(app.id, body.domain as string) };
    },

    async remove(principal: Principal | null, appIdOrSlug: string, domainId: string) {
      const { app, moved } = await apps.locate(principal, appIdOrSlug, "domains:manage");
      if (moved) return { app, moved };
      // Scoped by app: an id of another app's domain is a 404 here, never a delete.
      if (!isUuid(domainId) || !(await q.deleteDomain(db, app.id, domainId))) throw notFound("domain");
      await db.notify(ROUTE_TABLE_CHANNEL, app.id);
      return { app, moved };
    },
  };
}

export type Domains = ReturnType<typeof createDomains>;
