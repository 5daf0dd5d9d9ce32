// Console lines a `ctx.waitUntil` tail writes after the answer went out: the
// runtime hands them over when the tail ends (runtime `onTailConsole`), and
// they are appended to that execution's log row. Off the request path.
import type { Db } from "../db/db.ts";
import { appendExecutionConsole, type ConsoleLineRow } from "../db/queries/executions.ts";
import type { Logger } from "../log.ts";
import type { Executions } from "./executions.ts";

export interface TailConsoleDeps {
  db: Db;
  log: Logger;
  executions: Pick<Executions, "flush">;
}

export function createTailConsole({ db, log, executions }: TailConsoleDeps) {
  const inFlight = new Set<Promise<void>>();
  let closed = false;

  async function write(appId: string, executionId: string, lines: ConsoleLineRow[], truncated: boolean) {
    // The invoker queued the row when the answer came back, before the tail
    // ended; flushing first means the UPDATE finds it, written or still queued.
    await executions.flush();
    const found = await appendExecutionConsole(db, appId, executionId, lines, truncated);
    // Not found: the record was dropped (log backlog full) or already swept.
    if (!found) log.warn("tail console lines for an execution without a log row", { executionId, lines: lines.length });
  }

  return {
    /** Never throws, never waits: the runtime calls it from its message loop. */
    append(appId: string, executionId: string, lines: ConsoleLineRow[], truncated: boolean): void {
      if (closed || lines.length === 0) return;
      const p = write(appId, executionId, lines, truncated)
        .catch((e) => log.error("tail console lines lost", { executionId, cause: e }))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    },

    /** Finish the appends under way and take no more; call before closing the execution log. */
    async close() {
      closed = true;
      await Promise.all(inFlight);
    },
  };
}

export type TailConsole = ReturnType<typeof createTailConsole>;
