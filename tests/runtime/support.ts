// Shared helpers for runtime tests: real workers, real QuickJS, no mocks.
import { setDefaultTimeout } from "bun:test";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { createRuntime, type RuntimeOptions } from "../../src/runtime/index.ts";
import type { HttpInput, InvocationContext, InvokeResult, Limits, ScriptSpec } from "../../src/runtime/types.ts";

// Real sandboxes on a shared 2-core box: some cases (hung worker, memory
// limit) legitimately take seconds; they assert outcomes, never timings.
setDefaultTimeout(30_000);

let seq = 0;

export function makeRuntime(env: Record<string, string> = {}, opts: Partial<RuntimeOptions> = {}) {
  // PICLOUD_QUICKJS_VARIANT=quickjs bun test tests/runtime runs the suite on the other build.
  const variant = process.env.PICLOUD_QUICKJS_VARIANT;
  const config = loadConfig({ PICLOUD_WORKERS: "2", ...(variant ? { PICLOUD_QUICKJS_VARIANT: variant } : {}), ...env });
  return createRuntime(config.runtime, { log: silentLogger, ...opts });
}

export function script(code: string, over: Partial<ScriptSpec> & { limits?: Partial<Limits> } = {}): ScriptSpec {
  seq++;
  return {
    id: over.id ?? `script-${seq}`,
    version: over.version ?? 1,
    name: over.name ?? `s${seq}`,
    app: over.app ?? { id: "app-1", slug: "one" },
    code,
    limits: over.limits,
  };
}

export function ctx(over: Partial<InvocationContext> = {}): InvocationContext {
  return {
    executionId: "exec-1",
    requestId: "req-1",
    rootExecutionId: "exec-1",
    triggerDepth: 0,
    params: {},
    rest: null,
    query: {},
    principal: null,
    ...over,
  };
}

export function http(over: Partial<HttpInput> = {}): HttpInput {
  return { kind: "http", method: "GET", url: "http://localhost/test", headers: [], body: null, ...over };
}

export function text(r: InvokeResult): string {
  if (!r.ok) throw new Error(`invocation failed: ${r.code} ${r.message}`);
  return new TextDecoder().decode(r.body);
}

export function json(r: InvokeResult): any {
  return JSON.parse(text(r));
}
