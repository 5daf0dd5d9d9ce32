// "A public-looking URL redirecting to a private one", for real, without
// sending a packet anywhere but a private network namespace this test creates.
//
// The namespace gets only `lo`, holding 127.0.0.1, ::1 and PUBLIC_IP. PUBLIC_IP
// must be an address the classifier calls public (every internal, reserved,
// documentation and benchmarking range is refused, so only a globally routed
// unicast address qualifies). 1.2.3.4 is one; inside the namespace it is just
// a local address on `lo` with no route out, and the scenario binds a server to
// it before fetching anything, which fails anywhere but inside the namespace.
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { classifyAddress } from "../../src/runtime/address-class.ts";

const PUBLIC_IP = "1.2.3.4";
const PUBLIC_NAME = "public.picloud-test";
const NS = `picloud-t-${crypto.randomUUID().slice(0, 8)}`;
const ETC = `/etc/netns/${NS}`;

const run = (args: string[]) => Bun.spawnSync(args, { stdout: "pipe", stderr: "pipe" });

function setUp(): string | null {
  if (process.platform !== "linux") return "not Linux";
  const add = run(["ip", "netns", "add", NS]);
  if (add.exitCode !== 0) return `ip netns add failed: ${add.stderr.toString().trim() || "ip not found"}`;
  for (const args of [
    ["ip", "-n", NS, "link", "set", "lo", "up"],
    ["ip", "-n", NS, "addr", "add", `${PUBLIC_IP}/32`, "dev", "lo"],
  ]) {
    const r = run(args);
    if (r.exitCode !== 0) return `${args.join(" ")} failed: ${r.stderr.toString().trim()}`;
  }
  mkdirSync(ETC, { recursive: true });
  writeFileSync(join(ETC, "hosts"), `127.0.0.1 localhost\n::1 localhost\n${PUBLIC_IP} ${PUBLIC_NAME}\n`);
  return null;
}

// Set up at load time so an unavailable `ip netns` shows as a skipped test, with its reason logged.
const skipReason = setUp();
if (skipReason) console.warn(`fetch-guard netns test skipped: ${skipReason}`);
afterAll(() => {
  run(["ip", "netns", "del", NS]);
  rmSync(ETC, { recursive: true, force: true });
});

test("the namespace address is one the classifier treats as public", () => {
  expect(classifyAddress(PUBLIC_IP)).toBeNull();
});

test.skipIf(skipReason !== null)("a public URL redirecting to a private one is refused at the redirect hop", () => {
  const scenario = join(import.meta.dir, "fetch-guard-netns.scenario.ts");
  const r = run(["ip", "netns", "exec", NS, process.execPath, scenario, PUBLIC_IP, PUBLIC_NAME]);
  const out = r.stdout.toString().trim();
  if (r.exitCode !== 0) throw new Error(`scenario failed (${r.exitCode}): ${out} ${r.stderr.toString()}`);
  const results = JSON.parse(out.split("\n").pop()!);

  expect(results.direct).toMatchObject({ ok: true, status: 200, redirected: false, body: { where: "public", path: "/hello" } });
  expect(results.publicToPublic).toMatchObject({ ok: true, redirected: true, body: { path: "/landed" } });
  const loopback = { ok: false, reason: "refused", category: "loopback", message: "fetch refused: destination is a loopback address" };
  expect(results.toLoopbackIp).toMatchObject(loopback);
  expect(results.toLocalhost).toMatchObject(loopback);
  expect(results.toLoopbackV6).toMatchObject(loopback);
  expect(results.toMappedLoopback).toMatchObject(loopback);
  expect(results.toPrivate).toMatchObject({ ok: false, reason: "refused", category: "private" });
  expect(results.toMetadata).toMatchObject({ ok: false, reason: "refused", category: "cloud-metadata" });
  expect(results.rebinding).toMatchObject(loopback);
  // Nothing ever reached the private server.
  expect(results.privateHits).toEqual([]);
  expect(results.allowedControl).toEqual({ ok: true, hits: ["/secret"] });
});
