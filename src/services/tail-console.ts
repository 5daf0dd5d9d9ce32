// Console lines a `ctx.waitUntil` tail writes after the answer went out: the
// runtime hands them over when the tail ends (runtime `onTailConsole`), and
// they are appended to that execution's log row, in batches off the request
// path like the rows themselves (DESIGN §2).
import type { Db } from "../db/db.ts";
import { appendExecutionConsoles, type ConsoleAppend, type ConsoleLineRow } from "../db/queries/executions.ts";
import type { Logger } from "../log.ts";
import type { Executions } from "./executions.ts";

export interface TailConsoleDeps {
  db: Db;
  log: Logger;
  executions: Pick<Executions, "flush">;
}

export function createTailConsole({ db, log, executions }: TailConsoleDeps) {
  let queue: ConsoleAppend[] = [];
  let draining: Promise<void> | null = null;
  let closed = false;

  async function drain() {
    try {
      while (queue.length > 0) {
        const batch = queue;
        queue = [];
        // The invoker queued each row when its answer came back, before its
        // tail ended; flushing first means the UPDATE finds it.
        await executions.flush();
        try {
          const found = new Set(await appendExecutionConsoles(db, batch));
          // Not found: the record was dropped (log backlog full) or already swept.
          const lost = batch.filter((a) => !found.has(a.id)).length;
          if (lost > 0) log.warn("tail console lines for executions without a log row", { executions: lost });
        } catch (e) {
          log.error("tail console lines lost", { executions: batch.length, cause: e });
        }
      }
    } finally {
      draining = null;
    }
  }

  return {
    /** Queues the lines; never throws, never waits (the runtime calls it from its message loop). */
    append(appId: string, executionId: string, lines: ConsoleLineRow[], truncated: boolean): void {
      if (closed || lines.length === 0) return;
      queue.push({ appId, id: executionId, lines, truncated });
      draining ??= drain();
    },

    /** Writes what is queued and takes no more; call before closing the execution log. */
    async close() {
      closed = true;
      await draining;
    },
  };
}

export type TailConsole = ReturnType<typeof createTailConsole>;
