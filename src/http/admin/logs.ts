// Admin endpoints for execution logs: pages newest first (`?limit&before`),
// one execution by id, and a live tail over Server-Sent Events.
import { Elysia } from "elysia";
import type { Authorizer } from "../../auth/capabilities.ts";
import type { ExecutionRow, Executions } from "../../services/executions.ts";
import { withPrincipal } from "./principal.ts";

/** Comment lines keep proxies and Bun's idle timeout from closing a quiet tail. */
const HEARTBEAT_MS = 8_000;

/** An SSE stream fed by `subscribe`, which must already have passed its rights check. */
async function sseTail(
  request: Request,
  subscribe: (fn: (row: ExecutionRow) => void) => Promise<() => void>,
): Promise<Response> {
  const encoder = new TextEncoder();
  let send: ((chunk: string) => void) | null = null;
  const early: string[] = [];
  const unsubscribe = await subscribe((row) => {
    const chunk = `id: ${row.id}\nevent: execution\ndata: ${JSON.stringify(row)}\n\n`;
    if (send) send(chunk);
    else early.push(chunk);
  });
  let heartbeat: ReturnType<typeof setInterval> | null = null;
  const stop = () => {
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = null;
    send = null;
    unsubscribe();
  };
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      send = (chunk) => {
        try {
          controller.enqueue(encoder.encode(chunk));
        } catch {
          stop();
        }
      };
      // `ready` tells the client the subscription is live: executions from now on will arrive.
      send("retry: 2000\nevent: ready\ndata: {}\n\n");
      for (const chunk of early.splice(0)) send(chunk);
      heartbeat = setInterval(() => send?.(": ping\n\n"), HEARTBEAT_MS);
      request.signal.addEventListener("abort", () => {
        stop();
        try {
          controller.close();
        } catch {}
      });
    },
    cancel: stop,
  });
  return new Response(stream, {
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache", "x-accel-buffering": "no" },
  });
}

export const logsRoutes = ({ auth, executions }: { auth: Pick<Authorizer, "authenticate">; executions: Executions }) =>
  new Elysia({ name: "admin-logs" })
    .use(withPrincipal(auth))
    .get("/scripts/:id/logs", ({ params, query, principal }) => executions.listForScript(principal, params.id, query), {
      detail: { tags: ["logs"], summary: "A script's executions, newest first (?limit=1..500&before=<execution id or ISO time>)" },
    })
    .get(
      "/scripts/:id/logs/stream",
      ({ params, principal, request }) =>
        sseTail(request, (fn) => executions.tailScript(principal, params.id, fn)),
      { detail: { tags: ["logs"], summary: "Live tail of a script's executions (text/event-stream)" } },
    )
    .get("/apps/:id/logs", ({ params, query, principal }) => executions.listForApp(principal, params.id, query), {
      detail: { tags: ["logs"], summary: "An app's executions, newest first (?limit&before)" },
    })
    .get(
      "/apps/:id/logs/stream",
      ({ params, principal, request }) => sseTail(request, (fn) => executions.tailApp(principal, params.id, fn)),
      { detail: { tags: ["logs"], summary: "Live tail of an app's executions (text/event-stream)" } },
    )
    .get("/logs/:executionId", ({ params, principal }) => executions.get(principal, params.executionId), {
      detail: { tags: ["logs"], summary: "One execution with its console lines, error and stack" },
    });
