// The dashboard's pure helpers: route kind detection (what the Routing form
// guesses as you type) and the line diff of the Versions tab.
import { describe, expect, test } from "bun:test";
import { appRoleOf, canWriteApp } from "../../dashboard/src/lib/app-role.ts";
import { diffLines } from "../../dashboard/src/lib/diff.ts";
import { detectHostKind, detectPathKind, hostKindMismatch, pathKindMismatch } from "../../dashboard/src/lib/route-kinds.ts";

describe("route kind detection", () => {
  test.each([
    ["/hello", "exact"],
    ["/", "exact"],
    ["/static/*", "prefix"],
    ["/greet/:name", "param"],
    ["/a/:x/b/:y", "param"],
    ["/files/:id/*", "param"],
    ["/a:b", "exact"],
    ["/weird/:", "exact"],
  ] as const)("path %p is %p", (path, kind) => {
    expect(detectPathKind(path)).toBe(kind);
  });

  test.each([
    ["", "any"],
    ["  ", "any"],
    ["api.example.com", "strict"],
    ["*.example.com", "wildcard"],
  ] as const)("host %p is %p", (host, kind) => {
    expect(detectHostKind(host)).toBe(kind);
  });

  test("a chosen kind that does not fit what was typed gets a soft warning", () => {
    expect(pathKindMismatch("exact", "/greet/:name")).toContain("param");
    expect(pathKindMismatch("param", "/greet/:name")).toBeNull();
    expect(pathKindMismatch("exact", "")).toBeNull();
    expect(hostKindMismatch("any", "api.example.com")).toContain("ignored");
    expect(hostKindMismatch("strict", "")).toContain("no host");
    expect(hostKindMismatch("strict", "*.example.com")).toContain("wildcard");
    expect(hostKindMismatch("wildcard", "api.example.com")).toContain("*.");
    expect(hostKindMismatch("wildcard", "*.example.com")).toBeNull();
  });
});

describe("line diff", () => {
  test("keeps common lines and marks the rest", () => {
    const d = diffLines("a\nb\nc", "a\nB\nc\nd");
    expect(d.map((l) => `${l.kind}:${l.text}`)).toEqual(["same:a", "del:b", "add:B", "same:c", "add:d"]);
    expect(d.find((l) => l.text === "B")?.b).toBe(2);
  });

  test("identical sources have no changes; empty to text is all additions", () => {
    expect(diffLines("x\ny", "x\ny").every((l) => l.kind === "same")).toBe(true);
    expect(diffLines("", "one").map((l) => l.kind)).toEqual(["add"]);
  });
});

describe("app role", () => {
  test("my_role wins; else owners and admins are implicit app admins and members have none", () => {
    expect(appRoleOf("viewer", "owner")).toBe("viewer");
    expect(appRoleOf(null, "owner")).toBe("app_admin");
    expect(appRoleOf(undefined, "admin")).toBe("app_admin");
    expect(appRoleOf(undefined, "member")).toBeNull();
    expect(appRoleOf("editor", "member")).toBe("editor");
  });

  test("editors and app admins write, viewers and non-members do not", () => {
    expect([canWriteApp("app_admin"), canWriteApp("editor"), canWriteApp("viewer"), canWriteApp(null)]).toEqual([true, true, false, false]);
  });
});
