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

export async function readLimited(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
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
      try {
        return JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        throw new PicloudError("invalid_request", "request body is not valid JSON", { field: "body" });
      }
    });
