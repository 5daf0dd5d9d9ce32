// Runs in a child process started by fetch-guard-tls.test.ts with
// NODE_EXTRA_CA_CERTS pointing at a self-signed certificate for `pinned.test`
// (and no IP address). Talks to a TLS server on 127.0.0.1 only.
import { guardedFetch } from "../../src/runtime/fetch-guard.ts";
import { PicloudError } from "../../src/errors.ts";

const port = Number(process.argv[2]);
const lookup = async () => ["127.0.0.1"];

async function attempt(url: string) {
  try {
    const res = await guardedFetch({ method: "GET", url, headers: [], body: null }, { allowPrivate: true, maxResponseBytes: 1 << 20, timeoutMs: 5000, lookup });
    return { ok: true, status: res.status, body: new TextDecoder().decode(res.body!) };
  } catch (err) {
    return { ok: false, message: err instanceof PicloudError ? err.message : String(err) };
  }
}

console.log(
  JSON.stringify({
    // Connects to 127.0.0.1 but verifies the certificate (and sends SNI) for pinned.test.
    pinned: await attempt(`https://pinned.test:${port}/`),
    // Same address, a name the certificate does not cover: verification fails.
    wrongName: await attempt(`https://other.test:${port}/`),
  }),
);
