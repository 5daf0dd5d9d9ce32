import { expect, test } from "bun:test";
import { createHostMatcher, domainProblem, normalizeHost, resolveHostToApp } from "../../src/services/host-match.ts";

const claims = [
  { domain: "example.com", app_id: "apex" },
  { domain: "*.example.com", app_id: "wild" },
  { domain: "*.api.example.com", app_id: "api-wild" },
  { domain: "exact.api.example.com", app_id: "exact" },
  { domain: "localhost", app_id: "local" },
];

test("exact beats wildcard; a longer wildcard beats a shorter one", () => {
  expect(resolveHostToApp("exact.api.example.com", claims)).toBe("exact");
  expect(resolveHostToApp("v1.api.example.com", claims)).toBe("api-wild");
  expect(resolveHostToApp("deep.v1.api.example.com", claims)).toBe("api-wild");
  expect(resolveHostToApp("api.example.com", claims)).toBe("wild");
  expect(resolveHostToApp("example.com", claims)).toBe("apex");
  expect(resolveHostToApp("www.example.com", claims)).toBe("wild");
});

test("a wildcard never covers the bare name; unknown hosts match nothing", () => {
  expect(resolveHostToApp("example.com", claims.filter((c) => c.app_id !== "apex"))).toBeNull();
  expect(resolveHostToApp("example.org", claims)).toBeNull();
  expect(resolveHostToApp("notexample.com", claims)).toBeNull();
});

test("ports, case and a trailing dot are ignored", () => {
  const m = createHostMatcher(claims);
  expect(m.match("LOCALHOST:8080")?.app_id).toBe("local");
  expect(m.match("www.Example.COM.")?.app_id).toBe("wild");
  expect(normalizeHost("[::1]:8080")).toBe("[::1]");
  expect(normalizeHost("Host.Test:80")).toBe("host.test");
});

test("domain validation", () => {
  for (const ok of ["example.com", "*.example.com", "localhost", "a-b.c0.io", "127.0.0.1"]) expect(domainProblem(ok)).toBeNull();
  for (const bad of ["", "*", "*.", "a..b", "-a.com", "a_b.com", "a.*.com", "**.com"]) expect(domainProblem(bad)).not.toBeNull();
});

test("a wildcard over a single label is refused, except *.localhost", () => {
  for (const bad of ["*.com", "*.local", "*.test", "*.io"]) expect(domainProblem(bad)).toContain("top-level domain");
  for (const ok of ["*.localhost", "*.example.com", "*.co.uk", "*.a.test", "com", "local"]) expect(domainProblem(ok)).toBeNull();
});
