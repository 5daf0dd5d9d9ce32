// The sandbox's outbound `fetch`, run on the main thread (DESIGN §7): workers
// hold no network authority, so every request a script makes comes here.
//
// - http and https only;
// - every hop (the first request and each redirect, followed here, at most 20)
//   resolves the host, refuses it when ANY resolved address is not public
//   (address-class.ts), and then connects to the very address it checked, so a
//   DNS answer that changes between check and connect (rebinding) cannot
//   redirect the connection: http goes to the IP with the original Host
//   header; https goes to the IP with `tls.serverName` set to the original
//   host, which Bun uses both for SNI and for verifying the certificate;
// - the response body is streamed through a byte counter and cut at the cap;
// - one deadline covers resolution, redirects and the body.
// Errors never name the resolved IP: a script must not learn the network's layout.
import { lookup as dnsLookup } from "node:dns/promises";
import { PicloudError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { CATEGORY_PHRASE, classifyAddress, isIpLiteral, type AddressCategory } from "./address-class.ts";
import type { RpcCaller, RuntimeConfig } from "./types.ts";
import type { WireRequest, WireResponse } from "./worker/shims/index.ts";

export interface GuardedFetchOptions {
  /** `PICLOUD_HTTP_ALLOW_PRIVATE=true`: skip the address check (development only). */
  allowPrivate: boolean;
  /** Response body cap in bytes (decoded); beyond it the fetch rejects. */
  maxResponseBytes: number;
  /** Deadline for the whole fetch: resolution, every redirect and the body. */
  timeoutMs: number;
  /** Aborts the fetch, e.g. when the invocation ends. */
  signal?: AbortSignal;
  /** Host → addresses; defaults to the system resolver (getaddrinfo, so /etc/hosts counts). */
  lookup?: (host: string) => Promise<string[]>;
}

export const MAX_REDIRECTS = 20;

/** Why a guarded fetch failed, in `PicloudError.details.reason`. */
export type FetchFailure = "refused" | "invalid_url" | "invalid_method" | "timeout" | "aborted" | "too_large" | "network";

// Forbidden methods of the Fetch standard: CONNECT would open a raw tunnel.
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Encodings Bun's fetch decompresses by itself; anything else arrives as sent.
const DECODED_ENCODINGS = new Set(["gzip", "x-gzip", "deflate", "br", "zstd"]);

// Set by the guard per hop, or meaningless once the URL is rewritten to an IP.
const DROPPED_REQUEST_HEADERS = new Set(["host", "connection", "keep-alive", "transfer-encoding", "content-length", "upgrade", "proxy-connection", "te", "trailer"]);
// Credentials do not follow a redirect to another origin (Fetch standard, "HTTP-redirect fetch").
const CROSS_ORIGIN_DROPPED = new Set(["authorization", "cookie", "proxy-authorization"]);

const fail = (reason: FetchFailure, message: string, extra: Record<string, unknown> = {}) => {
  const code = reason === "refused" ? "forbidden"
    : reason === "invalid_url" || reason === "invalid_method" ? "invalid_request"
    : reason === "timeout" || reason === "aborted" ? "timeout"
    : reason === "too_large" ? "body_too_large"
    : "script_error";
  return new PicloudError(code, message, { reason, ...extra });
};

/**
 * The main-thread fetch for `createRuntime({ fetch })` (rpc.ts FetchFn). No
 * fetch outlives the longest invocation: the deadline is the timeout ceiling,
 * and the runtime may pass a signal that aborts when the invocation ends.
 */
export function createGuardedFetch(
  config: Pick<RuntimeConfig, "allowPrivateFetch" | "maxFetchResponseBytes" | "ceilings">,
  extra: Pick<GuardedFetchOptions, "lookup"> = {},
) {
  return (request: WireRequest, _caller?: RpcCaller, signal?: AbortSignal): Promise<WireResponse> =>
    guardedFetch(request, {
      allowPrivate: config.allowPrivateFetch,
      maxResponseBytes: config.maxFetchResponseBytes,
      timeoutMs: config.ceilings.timeoutMs,
      signal,
      ...extra,
    });
}

/** Logs the dev override at startup; call once from the server. Returns whether it is on. */
export function warnIfPrivateFetchAllowed(allowPrivate: boolean, log: Logger): boolean {
  if (allowPrivate) {
    log.warn(
      "PICLOUD_HTTP_ALLOW_PRIVATE=true: scripts may fetch loopback, private, link-local and cloud metadata addresses. " +
        "Use this for local development only, never on a reachable server.",
    );
  }
  return allowPrivate;
}

const defaultLookup = async (host: string): Promise<string[]> => {
  const answers = await dnsLookup(host, { all: true, verbatim: true });
  return answers.map((a) => a.address);
};

/** The refusal message for a category; exported so tests and docs agree on the wording. */
export const refusalMessage = (category: AddressCategory) => `fetch refused: destination is ${CATEGORY_PHRASE[category]}`;

/**
 * Resolves `hostname` (a URL hostname, IPv6 in brackets) and returns the
 * address to connect to, after checking every address it resolves to.
 */
async function resolveChecked(hostname: string, opts: GuardedFetchOptions, signal: AbortSignal): Promise<string> {
  const bare = hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
  let addresses: string[];
  if (isIpLiteral(bare)) {
    addresses = [bare];
  } else {
    try {
      addresses = await abortable((opts.lookup ?? defaultLookup)(bare), signal);
    } catch (err) {
      if (signal.aborted) throw err;
      throw fail("network", `fetch failed: could not resolve ${bare}`);
    }
    if (addresses.length === 0) throw fail("network", `fetch failed: could not resolve ${bare}`);
  }
  if (!opts.allowPrivate) {
    // All, not any: a name that resolves to a public and a private address is
    // refused rather than trusted to pick the public one.
    for (const address of addresses) {
      const category = classifyAddress(address);
      if (category) throw fail("refused", refusalMessage(category), { category });
    }
  }
  // Prefer IPv4: a Pi on a home network often has no IPv6 route.
  return addresses.find((a) => !a.includes(":")) ?? addresses[0]!;
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => (signal.removeEventListener("abort", onAbort), resolve(v)),
      (e) => (signal.removeEventListener("abort", onAbort), reject(e)),
    );
  });
}

function parseTarget(raw: string, base?: URL): URL {
  let url: URL;
  try {
    url = base ? new URL(raw, base) : new URL(raw);
  } catch {
    throw fail("invalid_url", "fetch failed: invalid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw fail("invalid_url", `fetch refused: only http and https URLs are allowed, not ${url.protocol.slice(0, -1)}`);
  }
  return url;
}

async function readCapped(res: Response, cap: number, signal: AbortSignal): Promise<Uint8Array | null> {
  if (!res.body) return null;
  const declared = Number(res.headers.get("content-length"));
  // Content-Length counts encoded bytes; only trust it to refuse early when the body is not compressed.
  if (!res.headers.has("content-encoding") && Number.isFinite(declared) && declared > cap) {
    await res.body.cancel().catch(() => {});
    throw fail("too_large", `fetch failed: response body exceeds ${cap} bytes`, { limit: cap });
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await abortable(reader.read(), signal);
      if (done) break;
      total += value.byteLength;
      if (total > cap) {
        throw fail("too_large", `fetch failed: response body exceeds ${cap} bytes`, { limit: cap });
      }
      chunks.push(value);
    }
  } catch (err) {
    await reader.cancel().catch(() => {});
    throw err;
  }
  const body = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.byteLength;
  }
  return body;
}

/** The URL Bun connects to: the checked IP in place of the host. */
function pinnedUrl(url: URL, address: string): string {
  const pinned = new URL(url.href);
  pinned.hostname = address.includes(":") ? `[${address}]` : address;
  return pinned.href;
}

/**
 * Outbound fetch for a sandbox: guarded, capped, redirects followed here.
 * Rejects with a PicloudError whose `details.reason` is a {@link FetchFailure}
 * (and `details.category` for refusals).
 */
export async function guardedFetch(request: WireRequest, opts: GuardedFetchOptions): Promise<WireResponse> {
  const controller = new AbortController();
  const timedOut = Symbol("timeout");
  const timer = setTimeout(() => controller.abort(timedOut), opts.timeoutMs);
  const onCallerAbort = () => controller.abort(opts.signal?.reason);
  if (opts.signal?.aborted) onCallerAbort();
  else opts.signal?.addEventListener("abort", onCallerAbort, { once: true });
  const signal = controller.signal;

  try {
    return await followRedirects(request, opts, signal);
  } catch (err) {
    if (signal.aborted) {
      if (signal.reason === timedOut) throw fail("timeout", `fetch failed: timed out after ${opts.timeoutMs} ms`, { limit: opts.timeoutMs });
      if (!(err instanceof PicloudError)) throw fail("aborted", "fetch aborted");
    }
    if (err instanceof PicloudError) throw err;
    const code = (err as { code?: string }).code;
    // Bun's own message names the URL we connected to, i.e. the IP: never pass it on.
    throw fail("network", `fetch failed: ${code ?? "network error"}`);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onCallerAbort);
  }
}

async function followRedirects(request: WireRequest, opts: GuardedFetchOptions, signal: AbortSignal): Promise<WireResponse> {
  let url = parseTarget(request.url);
  let method = request.method.toUpperCase();
  if (FORBIDDEN_METHODS.has(method)) throw fail("invalid_method", `fetch refused: method ${method} is not allowed`);
  let body = request.body;
  let headers = request.headers.filter(([name]) => !DROPPED_REQUEST_HEADERS.has(name.toLowerCase()));

  for (let hop = 0; ; hop++) {
    const address = await resolveChecked(url.hostname, opts, signal);
    const https = url.protocol === "https:";
    const res = await fetch(pinnedUrl(url, address), {
      method,
      headers: [...headers, ["host", url.host]],
      body: body && method !== "GET" && method !== "HEAD" ? (body as Uint8Array<ArrayBuffer>) : undefined,
      redirect: "manual",
      signal,
      // SNI and certificate verification use the name the script asked for, not the IP.
      tls: https && !isIpLiteral(url.hostname) ? { serverName: url.hostname } : undefined,
      // Never an HTTP(S)_PROXY from the environment: the proxy would connect somewhere we did not check.
      proxy: false,
    });

    const location = res.headers.get("location");
    if (REDIRECT_STATUSES.has(res.status) && location !== null) {
      await res.body?.cancel().catch(() => {});
      if (hop + 1 > MAX_REDIRECTS) throw fail("network", `fetch failed: more than ${MAX_REDIRECTS} redirects`);
      const next = parseTarget(location, url);
      // 303 always, and 301/302 after POST, become a GET without a body (Fetch standard).
      if (res.status === 303 ? method !== "HEAD" : (res.status === 301 || res.status === 302) && method === "POST") {
        method = "GET";
        body = null;
        headers = headers.filter(([name]) => !name.toLowerCase().startsWith("content-"));
      }
      if (next.origin !== url.origin) headers = headers.filter(([name]) => !CROSS_ORIGIN_DROPPED.has(name.toLowerCase()));
      url = next;
      continue;
    }

    const decoded = DECODED_ENCODINGS.has((res.headers.get("content-encoding") ?? "").trim().toLowerCase());
    const payload = await readCapped(res, opts.maxResponseBytes, signal);
    const outHeaders: [string, string][] = [];
    res.headers.forEach((value, name) => {
      // Bun already decompressed the body: the encoding and length headers no longer describe it.
      if (decoded && (name === "content-encoding" || name === "content-length")) return;
      if (name === "set-cookie") return; // added one by one below
      outHeaders.push([name, value]);
    });
    for (const cookie of res.headers.getSetCookie()) outHeaders.push(["set-cookie", cookie]);
    return { status: res.status, statusText: res.statusText, headers: outHeaders, body: payload, url: url.href, redirected: hop > 0 };
  }
}
