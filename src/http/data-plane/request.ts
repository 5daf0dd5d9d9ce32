// Socket-side conversion for the data plane: a Bun Request → the runtime's
// plain HttpInput (body read up to the script's limit, never past it), and an
// InvokeResult → a Response.
import type { Principal } from "../../auth/capabilities.ts";
import { headersForScript } from "../../auth/credentials.ts";
import { type ErrorCode, PicloudError } from "../../errors.ts";
import type { HttpInput, InvokeResult, PrincipalInfo } from "../../runtime/types.ts";
import { readLimited } from "../body.ts";
import { STATUS, errorBody } from "../errors.ts";

/** The client's socket address as Bun's `server.requestIP(request)` reports it. */
export interface RemoteAddr {
  address: string;
  port: number;
}

/** The path of a full request URL, without query: cheaper than `new URL` on the hot path. */
export function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  const q = url.indexOf("?", start);
  return q < 0 ? url.slice(start) : url.slice(start, q);
}

export function queryOf(url: string): Record<string, string> {
  const q = url.indexOf("?");
  if (q < 0 || q === url.length - 1) return {};
  const out: Record<string, string> = {};
  // First value wins for a repeated key; scripts wanting all of them read `new URL(req.url).searchParams`.
  for (const [k, v] of new URLSearchParams(url.slice(q + 1))) if (!(k in out)) out[k] = v;
  return out;
}

const tooLarge = (limit: number) =>
  new PicloudError("body_too_large", `request body exceeds this script's limit of ${limit} bytes`, { limit });

/**
 * The request body, at most `limit` bytes. A declared Content-Length over the
 * limit is refused before reading a byte; a chunked body is counted as it
 * streams and reading stops at the first byte past the limit.
 */
export async function readBody(request: Request, limit: number): Promise<Uint8Array | null> {
  const declared = request.headers.get("content-length");
  if (declared !== null) {
    const n = Number(declared);
    if (n > limit) throw tooLarge(limit);
    if (n === 0) return null;
    // Bun has already checked that the body matches its declared length.
    return new Uint8Array(await request.arrayBuffer());
  }
  const body = request.body;
  if (!body) return null;
  const bytes = await readLimited(body, limit, tooLarge);
  return bytes.byteLength === 0 ? null : bytes;
}

export async function toHttpInput(request: Request, limit: number, principal: Principal | null = null): Promise<HttpInput> {
  const method = request.method;
  // PiCloud's own credentials stop here: the script gets ctx.principal, never the secret (identity, issue #4).
  const headers = headersForScript(request, principal);
  const body = method === "GET" || method === "HEAD" ? null : await readBody(request, limit);
  return { kind: "http", method, url: request.url, headers, body };
}

/** The principal as scripts see it in `ctx.principal`. */
export function principalInfo(p: Principal): PrincipalInfo {
  return {
    kind: p.via.kind === "api_key" ? "api_key" : "user",
    user_id: p.userId,
    username: p.username,
    instance_role: p.instanceRole,
  };
}

/** Does the request carry credentials worth resolving? Skips identity entirely for anonymous traffic. */
export function hasCredentials(request: Request): boolean {
  if (request.headers.has("authorization")) return true;
  const cookie = request.headers.get("cookie");
  return cookie !== null && cookie.includes("picloud_session=");
}

export const EXECUTION_HEADER = "x-picloud-execution-id";

export function errorResponse(
  code: ErrorCode,
  message: string,
  details: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  const h: Record<string, string> = { "content-type": "application/json", ...headers };
  if (code === "gate_full") h["retry-after"] = "1";
  if (code === "body_too_large") h.connection = "close";
  return new Response(JSON.stringify(errorBody(new PicloudError(code, message, details))), {
    status: STATUS[code],
    headers: h,
  });
}

/** A byte stream of one chunk: how an untyped body reaches the socket without a content-type. */
function oneChunk(bytes: Uint8Array<ArrayBuffer>): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** The runtime's result → the HTTP answer (DESIGN §4); `stack` only when the caller may see it. */
export function toResponse(result: InvokeResult, executionId: string, showStack: boolean): Response {
  if (result.ok) {
    const headers = new Headers();
    for (const [k, v] of result.headers) {
      // User routes share the dashboard's origin: a script must not plant a PiCloud
      // session there (session fixation), just as it never sees one (headersForScript).
      if (k.toLowerCase() === "set-cookie" && v.trimStart().startsWith("picloud_session=")) continue;
      headers.append(k, v);
    }
    headers.set(EXECUTION_HEADER, executionId);
    // A ReadableStream body goes out as the script enqueues it; cancelling it (client gone) reaches the sandbox.
    if (result.bodyStream) {
      if (result.status === 204 || result.status === 304) {
        void result.bodyStream.cancel();
        return new Response(null, { status: result.status, headers });
      }
      return new Response(result.bodyStream, { status: result.status, headers });
    }
    const empty = result.status === 204 || result.status === 304 || result.body.byteLength === 0;
    if (empty) return new Response(null, { status: result.status, headers });
    const body = result.body as Uint8Array<ArrayBuffer>;
    if (headers.has("content-type")) return new Response(body, { status: result.status, headers });
    // Bun.serve writes `content-type: application/octet-stream` for a byte body without one
    // (oven-sh/bun#21193); Deno and the Fetch spec send none. A stream body is the one Bun leaves
    // untyped; it goes out chunked instead of with a Content-Length.
    return new Response(oneChunk(body), { status: result.status, headers });
  }
  const details: Record<string, unknown> = { execution_id: executionId };
  if (showStack && result.stack) details.stack = result.stack;
  return errorResponse(result.code, result.message, details, { [EXECUTION_HEADER]: executionId });
}
