// https pinning: the guard connects to the IP it checked and gives Bun the
// original host name as `tls.serverName`, used for SNI and for certificate
// verification. Proven on loopback with a throwaway certificate for
// `pinned.test` that names no IP address.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "picloud-tls-"));
let server: ReturnType<typeof Bun.serve> | null = null;

// At load time, so a missing openssl shows as a skipped test with its reason logged.
function generateCertificate(): string | null {
  const gen = Bun.spawnSync(
    ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
     "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1",
     "-subj", "/CN=pinned.test", "-addext", "subjectAltName=DNS:pinned.test"],
    { stdout: "pipe", stderr: "pipe" },
  );
  return gen.exitCode === 0 ? null : `openssl failed: ${gen.stderr.toString().trim()}`;
}
let skipReason: string | null;
try {
  skipReason = generateCertificate();
} catch (err) {
  skipReason = `openssl unavailable: ${String(err)}`;
}
if (skipReason) console.warn(`fetch-guard TLS test skipped: ${skipReason}`);

beforeAll(() => {
  if (skipReason) return;
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls: { cert: readFileSync(join(dir, "cert.pem"), "utf8"), key: readFileSync(join(dir, "key.pem"), "utf8") },
    fetch: (req) => new Response(`hello ${req.headers.get("host")}`),
  });
});
afterAll(() => {
  server?.stop(true);
  rmSync(dir, { recursive: true, force: true });
});

test.skipIf(skipReason !== null)("https connects to the checked IP and verifies the certificate against the original name", async () => {
  if (!server) throw new Error("TLS server did not start");
  // Async spawn: this process serves the TLS side, so its event loop must keep running.
  const child = Bun.spawn([process.execPath, join(import.meta.dir, "fetch-guard-tls.scenario.ts"), String(server.port)], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, "cert.pem") },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, exitCode] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (exitCode !== 0) throw new Error(`scenario failed: ${out} ${err}`);
  const results = JSON.parse(out.trim().split("\n").pop()!);
  expect(results.pinned).toEqual({ ok: true, status: 200, body: `hello pinned.test:${server.port}` });
  expect(results.wrongName.ok).toBe(false);
  expect(results.wrongName.message).not.toContain("127.0.0.1");
}, 20_000);
