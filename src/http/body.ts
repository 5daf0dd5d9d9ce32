// Admin request bodies: JSON, at most ADMIN_MAX_BODY_BYTES. Refused by
// Content-Length at once, and counted while reading a chunked body so nothing
// is buffered past the limit (DESIGN §5). The data plane has its own limits
// per script and reads its bodies itself; this only touches /api/v1/admin.
import { Elysia } from "elysia";
import { PicloudError } from "../errors.ts";

/** Largest admin request body: a script's source plus JSON overhead. */
export const ADMIN_MAX_BODY_BYTES = 2 * 1024 * 1024;
const ADMIN_PREFIX = "/api/v1/admin";

const tooLarge = (limit: number) =>
  new PicloudError("body_too_large", `request body exceeds ${limit} bytes`, { limit });

const isAdmin = (request: Request) => {
  const path = request.url.slice(request.url.indexOf("/", request.url.indexOf("//") + 2));
  return path.startsWith(ADMIN_PREFIX);
};

/**
 * Reads a body stream, stopping at the first byte past `limit` (then throws
 * `tooLargeError(limit)`): nothing is ever buffered beyond the limit. Shared by
 * the admin API and the data plane, which differ only in their message.
 */
export async function readLimited(
  body: ReadableStream<Uint8Array>,
  limit: number,
  tooLargeError: (limit: number) => Error = tooLarge,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLargeError(limit);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

export const adminJsonBody = (limit = ADMIN_MAX_BODY_BYTES) =>
  new Elysia({ name: "admin-json-body" })
    .onRequest(({ request }) => {
      if (!isAdmin(request)) return;
      const length = Number(request.headers.get("content-length") ?? "0");
      if (length > limit) throw tooLarge(limit);
    })
    .onParse({ as: "global" }, async ({ request }) => {
      if (!isAdmin(request)) return;
      if (!request.body) return null;
      const bytes = await readLimited(request.body, limit);
      if (bytes.byteLength === 0) return null;
      // Any content type is read as JSON: `curl -d '{…}'` sends form-urlencoded by default.
      let value: unknown;
      try {
        value = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        throw new PicloudError("invalid_request", "request body is not valid JSON", { field: "body" });
      }
      checkJsonShape(value);
      return value;
    });

/** Deeper than any admin body needs; validators recurse, so a deep body must stop here. */
const MAX_JSON_DEPTH = 32;

/**
 * Refuses, before validation, what would otherwise end as a 500: nesting deep
 * enough that recursive validators spend seconds and then overflow (a 200 KB
 * body of `[[[…]]]` held the event loop for 20 s), and NUL characters, which
 * Postgres text columns reject. Iterative, so the walk itself cannot overflow.
 */
function checkJsonShape(root: unknown): void {
  const stack: Array<[unknown, string, number]> = [[root, "", 0]];
  while (stack.length > 0) {
    const [value, path, depth] = stack.pop()!;
    if (typeof value === "string") {
      if (value.includes("\u0000")) {
        throw new PicloudError("invalid_request", `${path || "body"}: must not contain NUL characters`, { field: path || "body" });
      }
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    if (depth >= MAX_JSON_DEPTH) {
      throw new PicloudError("invalid_request", `body: nested deeper than ${MAX_JSON_DEPTH} levels`, { field: "body" });
    }
    for (const [k, v] of Object.entries(value)) {
      if (k.includes("\u0000")) throw new PicloudError("invalid_request", "body: keys must not contain NUL characters", { field: "body" });
      stack.push([v, path ? `${path}.${k}` : k, depth + 1]);
    }
  }
}
