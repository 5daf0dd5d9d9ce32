// One invocation, transport-free: a cached script plus a plain request in,
// the runtime's result out, and one execution record queued for the batched
// log writer. The data plane (HTTP) and, later, triggers call this.
import { randomUUID } from "node:crypto";
import type { ErrorCode } from "../errors.ts";
import type { HttpInput, InvokeResult, PrincipalInfo, Runtime } from "../runtime/types.ts";
import type { Logger } from "../log.ts";
import type { Executions } from "./executions.ts";
import type { CachedScript } from "./script-cache.ts";
import { failure } from "../runtime/failure.ts";

export interface InvokeRequest {
  input: HttpInput;
  params: Record<string, string>;
  rest: string | null;
  query: Record<string, string>;
  principal: PrincipalInfo | null;
  /** The caller's request id (`x-request-id`), else the execution id. */
  requestId?: string;
  triggerKind?: string;
  /** The client's socket address, as the server saw it. */
  remoteAddr?: { hostname: string; port: number };
}

export interface InvokeOutcome {
  executionId: string;
  result: InvokeResult;
}

export interface InvokerDeps {
  runtime: Pick<Runtime, "invoke">;
  executions: Pick<Executions, "record">;
  /** The HTTP status a failed invocation answers with, recorded in its log row (from http/errors.ts). */
  statusOf(code: ErrorCode): number;
  log: Logger;
}

export function createInvoker({ runtime, executions, statusOf, log }: InvokerDeps) {
  return {
    async invoke(script: CachedScript, req: InvokeRequest): Promise<InvokeOutcome> {
      const executionId = randomUUID();
      const createdAt = new Date().toISOString();
      const { spec } = script;
      let result: InvokeResult;
      try {
        result = await runtime.invoke(spec, req.input, {
          executionId,
          requestId: req.requestId ?? executionId,
          rootExecutionId: executionId,
          triggerDepth: 0,
          params: req.params,
          rest: req.rest,
          query: req.query,
          principal: req.principal,
          remoteAddr: req.remoteAddr,
        });
      } catch (e) {
        // The runtime reports failures as values; a throw is a platform fault (500), never the script's.
        result = failure("internal", "the runtime failed to run the script");
        log.error("runtime invoke threw", { script: spec.id, cause: e });
      }
      // One execution row; only the outcome differs between a fixed body and a streamed one.
      const record = (outcome: {
        status: string; http_status: number; duration_ms: number; cpu_ms: number; response_size: number | null;
        console: InvokeResult["console"]; console_truncated: boolean; error: string | null; stack: string | null;
      }) =>
        executions.record({
          id: executionId,
          app_id: spec.app.id,
          script_id: spec.id,
          script_version: spec.version,
          trigger_kind: req.triggerKind ?? "http",
          request_method: req.input.method,
          request_url: req.input.url,
          request_size: req.input.body?.byteLength ?? 0,
          root_execution_id: executionId,
          trigger_depth: 0,
          created_at: createdAt,
          ...outcome,
        });
      if (result.ok && result.streamEnd) {
        // A streamed body: the row is written when the stream ends, with its final size and outcome.
        const head = result;
        void result.streamEnd.then((end) =>
          record({
            status: end.ok ? "ok" : end.code,
            // The status line went out before the stream failed; that is what the client saw.
            http_status: head.status,
            duration_ms: end.durationMs,
            cpu_ms: end.cpuMs,
            response_size: end.size,
            console: end.console,
            console_truncated: end.consoleTruncated,
            error: end.ok ? null : end.message,
            stack: end.ok ? null : (end.stack ?? null),
          }),
        );
        return { executionId, result };
      }
      record({
        status: result.ok ? "ok" : result.code,
        http_status: result.ok ? result.status : statusOf(result.code),
        duration_ms: result.durationMs,
        cpu_ms: result.cpuMs,
        response_size: result.ok ? result.body.byteLength : null,
        console: result.console,
        console_truncated: result.consoleTruncated,
        error: result.ok ? null : result.message,
        stack: result.ok ? null : (result.stack ?? null),
      });
      return { executionId, result };
    },

    /** Log a request the data plane refused before it reached the sandbox (e.g. 413), so the user sees it. */
    refused(script: CachedScript, input: Omit<HttpInput, "body">, code: ErrorCode, message: string): string {
      const executionId = randomUUID();
      executions.record({
        id: executionId,
        app_id: script.spec.app.id,
        script_id: script.spec.id,
        script_version: script.spec.version,
        trigger_kind: "http",
        status: code,
        http_status: statusOf(code),
        duration_ms: 0,
        cpu_ms: 0,
        request_method: input.method,
        request_url: input.url,
        request_size: null,
        response_size: null,
        console: [],
        console_truncated: false,
        error: message,
        stack: null,
        root_execution_id: executionId,
        trigger_depth: 0,
        created_at: new Date().toISOString(),
      });
      return executionId;
    },
  };
}

export type Invoker = ReturnType<typeof createInvoker>;
