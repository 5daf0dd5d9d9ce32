// The fresh-install seed's route (DESIGN §5): the default app's `hello`
// script answers GET /hello on localhost. Runs only when core's seed ran.
import type { Db } from "../db/db.ts";
import { insertRoute } from "../db/queries/routes.ts";
import { normalizeRoute } from "./route-patterns.ts";
import type { RouteTable } from "./route-table.ts";

export async function seedHelloRoute(
  { db, routeTable }: { db: Db; routeTable: Pick<RouteTable, "changed"> },
  script: { id: string; app_id: string },
): Promise<void> {
  await insertRoute(db, script.app_id, script.id, normalizeRoute({ method: "GET", path: "/hello" }));
  await routeTable.changed(script.app_id);
}
