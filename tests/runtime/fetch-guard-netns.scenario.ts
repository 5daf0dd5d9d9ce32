// Runs INSIDE a network namespace created by fetch-guard-netns.test.ts
// (`ip netns exec <ns> bun this-file`). The namespace has only `lo`, carrying
// 127.0.0.1, ::1 and PUBLIC_IP; its /etc/hosts maps PUBLIC_NAME to PUBLIC_IP.
// Prints one JSON object with each scenario's outcome.
import { guardedFetch, type GuardedFetchOptions } from "../../src/runtime/fetch-guard.ts";
import { PicloudError } from "../../src/errors.ts";

const PUBLIC_IP = process.argv[2]!;
const PUBLIC_NAME = process.argv[3]!;

// Safety first: binding PUBLIC_IP only works where it is a local address, i.e.
// inside the namespace. Outside it this throws before any fetch is made.
let publicServer: ReturnType<typeof Bun.serve>;
try {
  publicServer = Bun.serve({
    hostname: PUBLIC_IP,
    port: 0,
    fetch(req) {
      const url = new URL(req.url);
      if (url.pathname === "/redirect") return new Response(null, { status: 302, headers: { location: url.searchParams.get("to")! } });
      return Response.json({ where: "public", path: url.pathname, host: req.headers.get("host") });
    },
  });
} catch (err) {
  console.log(JSON.stringify({ fatal: `cannot bind ${PUBLIC_IP}: not inside the test namespace (${String(err)})` }));
  process.exit(2);
}

const privateHits: string[] = [];
const privateServer = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(req) {
    privateHits.push(new URL(req.url).pathname);
    return new Response("secret");
  },
});

const opts: GuardedFetchOptions = { allowPrivate: false, maxResponseBytes: 1 << 20, timeoutMs: 5000 };
const pub = `http://${PUBLIC_NAME}:${publicServer.port}`;
const priv = privateServer.port;

async function attempt(url: string, extra: Partial<GuardedFetchOptions> = {}) {
  try {
    const res = await guardedFetch({ method: "GET", url, headers: [], body: null }, { ...opts, ...extra });
    const text = new TextDecoder().decode(res.body!);
    return { ok: true, status: res.status, redirected: res.redirected, body: text.startsWith("{") ? JSON.parse(text) : text };
  } catch (err) {
    if (err instanceof PicloudError) return { ok: false, message: err.message, ...err.details };
    return { ok: false, message: String(err) };
  }
}

let lookups = 0;
const results = {
  direct: await attempt(`${pub}/hello`),
  publicToPublic: await attempt(`${pub}/redirect?to=/landed`),
  toLoopbackIp: await attempt(`${pub}/redirect?to=${encodeURIComponent(`http://127.0.0.1:${priv}/secret`)}`),
  toLocalhost: await attempt(`${pub}/redirect?to=${encodeURIComponent(`http://localhost:${priv}/secret`)}`),
  toLoopbackV6: await attempt(`${pub}/redirect?to=${encodeURIComponent(`http://[::1]:${priv}/secret`)}`),
  toMappedLoopback: await attempt(`${pub}/redirect?to=${encodeURIComponent(`http://[::ffff:127.0.0.1]:${priv}/secret`)}`),
  toPrivate: await attempt(`${pub}/redirect?to=${encodeURIComponent("http://10.0.0.1/secret")}`),
  toMetadata: await attempt(`${pub}/redirect?to=${encodeURIComponent("http://169.254.169.254/latest/meta-data/")}`),
  // DNS rebinding across hops: the name is public on the first lookup and
  // loopback on the next; the second hop re-resolves and is refused.
  rebinding: await attempt(`http://rebind.test:${publicServer.port}/redirect?to=/again`, {
    lookup: async () => (lookups++ === 0 ? [PUBLIC_IP] : ["127.0.0.1"]),
  }),
  privateHits: [...privateHits],
  // Control: with the dev override the same redirect does reach the private
  // server, so the refusals above are the guard's doing, not the setup's.
  allowedControl: await attempt(`${pub}/redirect?to=${encodeURIComponent(`http://127.0.0.1:${priv}/secret`)}`, { allowPrivate: true }).then(
    (r) => ({ ok: r.ok, hits: [...privateHits] }),
  ),
};
console.log(JSON.stringify(results));
publicServer.stop(true);
privateServer.stop(true);
