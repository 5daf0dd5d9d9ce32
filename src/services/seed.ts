// The fresh-install seed (DESIGN §5): a `default` app claiming `localhost`
// with a hello-world `Deno.serve` script named `hello`. Runs once per
// database: a `seeded` marker keeps a deleted default app deleted.
// The exec engineer's seed step binds `hello` to `/hello` with the result.
import type { Db } from "../db/db.ts";
import { getMeta, setMeta } from "../db/queries/apps.ts";
import type { Logger } from "../log.ts";
import type { App, Apps } from "./apps.ts";
import type { Domains } from "./domains.ts";
import type { Script, Scripts } from "./scripts.ts";

export const HELLO_SOURCE = `// Answers GET /hello on http://localhost — edit me and save.
Deno.serve((request: Request) => {
  return new Response("Hello from PiCloud!\\n", { headers: { "content-type": "text/plain" } });
});
`;

export interface Seeded {
  app: App;
  script: Script;
}

/** Creates the default app on a database never seeded before; null when it was. */
export async function seedFreshInstall(
  deps: { db: Db; log: Logger; apps: Apps; domains: Domains; scripts: Scripts },
): Promise<Seeded | null> {
  const { db, log, apps, domains, scripts } = deps;
  if (await getMeta(db, "seeded")) return null;
  // Another node may be seeding the same server database right now; only one wins the marker.
  const claimed = await db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [7_210_332_909]);
    if (await getMeta(tx, "seeded")) return false;
    await setMeta(tx, "seeded", { at: new Date().toISOString() });
    return true;
  });
  if (!claimed) return null;
  const app = (await apps.findBySlug("default")) ?? (await apps.createUnchecked({ slug: "default", name: "Default" }));
  await domains.addUnchecked(app.id, "localhost");
  const script = await scripts.insertUnchecked(app, {
    name: "hello",
    description: "Hello world, answering /hello on localhost",
    source: HELLO_SOURCE,
  });
  log.info("seeded the default app", { app: app.slug, script: script.name });
  return { app, script };
}
