// `ANY /api/v1/execute/{scriptId}[/rest]`: call a script by id, no domain or
// route needed. Whatever follows the id becomes `ctx.rest`.
import type { ScriptCache } from "../../services/script-cache.ts";
import { safeDecode } from "../../services/route-patterns.ts";
import { errorResponse, type RemoteAddr } from "./request.ts";
import type { HttpRunner } from "./run.ts";

export const EXECUTE_PREFIX = "/api/v1/execute/";

export function createExecute({ scripts, run }: { scripts: ScriptCache; run: HttpRunner }) {
  return async function handleExecute(request: Request, path: string, remote?: RemoteAddr | null): Promise<Response> {
    const tail = path.slice(EXECUTE_PREFIX.length);
    const slash = tail.indexOf("/");
    const scriptId = slash < 0 ? tail : tail.slice(0, slash);
    const rest = slash < 0 ? null : safeDecode(tail.slice(slash + 1));
    const script = await scripts.get(scriptId);
    // Modules are imported, never invoked (DESIGN §3): as absent as an unknown id.
    if (!script || script.kind !== "endpoint") return errorResponse("not_found", "script not found");
    return run(request, script, {}, rest, remote);
  };
}
