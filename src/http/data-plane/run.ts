// The part every data-plane entry shares: read the request within the
// script's limits, resolve the optional principal, invoke, answer.
import type { Authorizer, Principal } from "../../auth/capabilities.ts";
import { PicloudError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import type { Invoker } from "../../services/invoke.ts";
import type { CachedScript } from "../../services/script-cache.ts";
import { type RemoteAddr, EXECUTION_HEADER, errorResponse, hasCredentials, principalInfo, queryOf, toHttpInput, toResponse } from "./request.ts";

export interface HttpRunnerDeps {
  invoker: Invoker;
  auth: Pick<Authorizer, "authenticate" | "require">;
  log: Logger;
}

export function createHttpRunner({ invoker, auth, log }: HttpRunnerDeps) {
  async function principalOf(request: Request): Promise<Principal | null> {
    if (!hasCredentials(request)) return null;
    try {
      return await auth.authenticate(request);
    } catch (e) {
      // The data plane is public: an identity hiccup must not take user routes down (fail open to anonymous).
      log.warn("principal resolution failed; treating the request as anonymous", { cause: e });
      return null;
    }
  }

  async function mayseeStack(principal: Principal | null, appId: string): Promise<boolean> {
    if (!principal) return false;
    try {
      await auth.require(principal, "logs:read", appId);
      return true;
    } catch {
      return false;
    }
  }

  return async function run(
    request: Request,
    script: CachedScript,
    params: Record<string, string>,
    rest: string | null,
    remote?: RemoteAddr | null,
  ): Promise<Response> {
    const principal = await principalOf(request);
    let input;
    try {
      input = await toHttpInput(request, script.limits.requestBodyBytes, principal);
    } catch (e) {
      if (e instanceof PicloudError && e.code === "body_too_large") {
        const id = invoker.refused(script, { kind: "http", method: request.method, url: request.url, headers: [] }, e.code, e.message);
        return errorResponse(e.code, e.message, { ...e.details, execution_id: id }, { [EXECUTION_HEADER]: id });
      }
      throw e;
    }
    const { executionId, result } = await invoker.invoke(script, {
      input,
      params,
      rest,
      query: queryOf(request.url),
      principal: principal && principalInfo(principal),
      requestId: request.headers.get("x-request-id") ?? undefined,
      remoteAddr: remote ? { hostname: remote.address, port: remote.port } : undefined,
    });
    const showStack = !result.ok && result.code === "script_error" && (await mayseeStack(principal, script.spec.app.id));
    return toResponse(result, executionId, showStack);
  };
}

export type HttpRunner = ReturnType<typeof createHttpRunner>;
