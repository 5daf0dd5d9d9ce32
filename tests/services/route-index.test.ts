// Pure precedence and validation rules of routes (no I/O): the route table's
// loading and NOTIFY behaviour are covered in route-table.test.ts.
import { describe, expect, test } from "bun:test";
import type { RouteRow } from "../../src/db/queries/routes.ts";
import { buildRouteIndex } from "../../src/services/route-index.ts";
import { normalizeRoute, hostOf } from "../../src/services/route-patterns.ts";
import { PicloudError } from "../../src/errors.ts";

let n = 0;
function row(input: Parameters<typeof normalizeRoute>[0], app = "A"): RouteRow {
  const k = normalizeRoute(input);
  return {
    id: `r${++n}`, app_id: app, script_id: `s-${input.path}`, method: k.method, host_kind: k.hostKind,
    host: k.host, path_kind: k.pathKind, path: k.path, created_at: "",
  };
}

describe("normalizeRoute", () => {
  test("infers kinds from the path and host", () => {
    expect(normalizeRoute({ path: "/greet/:name" })).toMatchObject({ pathKind: "param", pathShape: "/greet/:", method: "ANY" });
    expect(normalizeRoute({ path: "/static/*" })).toMatchObject({ pathKind: "prefix", path: "/static/*" });
    expect(normalizeRoute({ path: "/static", path_kind: "prefix" })).toMatchObject({ path: "/static/*" });
    expect(normalizeRoute({ path: "/hello", method: "get" })).toMatchObject({ pathKind: "exact", method: "GET" });
    expect(normalizeRoute({ path: "/", host: "*.Example.com" })).toMatchObject({ hostKind: "wildcard", host: "*.example.com" });
    expect(normalizeRoute({ path: "/", host: "api.example.com" })).toMatchObject({ hostKind: "strict" });
    expect(normalizeRoute({ path: "/h\u00e9" }).path).toBe("/h%C3%A9");
  });

  const bad: [Parameters<typeof normalizeRoute>[0], string][] = [
    [{ path: "hello" }, "path"],
    [{}, "path"],
    [{ path: "/a?b" }, "path"],
    [{ path: "/a//b" }, "path"],
    [{ path: "/a", path_kind: "param" }, "path"],
    [{ path: "/a/:x/:x" }, "path"],
    [{ path: "/a/:1x" }, "path"],
    [{ path: "/a", path_kind: "weird" }, "path_kind"],
    [{ path: "/a", method: "FETCH" }, "method"],
    [{ path: "/a", host_kind: "strict" }, "host"],
    [{ path: "/a", host: "http://x.com" }, "host"],
    [{ path: "/a", host: "x.com:80" }, "host"],
    [{ path: "/a", host_kind: "wildcard", host: "x.com" }, "host"],
    [{ path: "/a", host_kind: "any", host: "x.com" }, "host"],
    [{ path: "/a", host_kind: "everywhere" }, "host_kind"],
  ];
  for (const [input, field] of bad) {
    test(`rejects ${JSON.stringify(input)} naming ${field}`, () => {
      try {
        normalizeRoute(input);
        throw new Error("accepted");
      } catch (e) {
        expect(e).toBeInstanceOf(PicloudError);
        expect((e as PicloudError).code).toBe("invalid_request");
        expect((e as PicloudError).details.field).toBe(field);
      }
    });
  }
});

describe("route index precedence", () => {
  const idx = buildRouteIndex([
    row({ path: "/*" }),
    row({ path: "/static/*" }),
    row({ path: "/static/img/*" }),
    row({ path: "/greet/:name" }),
    row({ path: "/greet/world" }),
    row({ path: "/users/:id/posts/:post" }),
    row({ path: "/users/me/posts/:post" }),
    row({ path: "/only-post", method: "POST" }),
    row({ path: "/verbs", method: "GET" }),
    row({ path: "/verbs" }),
    row({ path: "/api", host: "api.example.com" }),
    row({ path: "/api", host: "*.example.com" }),
    row({ path: "/api", host: "*.deep.example.com" }),
    row({ path: "/other/:x" }, "B"),
  ]);
  const m = (method: string, path: string, host = "example.org", app = "A") => idx.match(app, method, host, path);

  test("exact beats param beats prefix", () => {
    expect(m("GET", "/greet/world")!.route.path).toBe("/greet/world");
    expect(m("GET", "/greet/bob")).toMatchObject({ route: { path: "/greet/:name" }, params: { name: "bob" } });
    expect(m("GET", "/greet/b%C3%B6b")!.params.name).toBe("b\u00f6b");
    expect(m("GET", "/greet/a/b")).toMatchObject({ route: { path: "/*" }, rest: "greet/a/b" });
  });
  test("longest prefix wins and sets rest", () => {
    expect(m("GET", "/static/img/a.png")).toMatchObject({ route: { path: "/static/img/*" }, rest: "a.png" });
    expect(m("GET", "/static/css/a.css")).toMatchObject({ route: { path: "/static/*" }, rest: "css/a.css" });
    expect(m("GET", "/static")).toMatchObject({ route: { path: "/static/*" }, rest: "" });
    expect(m("GET", "/staticx")).toMatchObject({ route: { path: "/*" }, rest: "staticx" });
  });
  test("literal segments beat parameters, leftmost first", () => {
    expect(m("GET", "/users/me/posts/7")).toMatchObject({ route: { path: "/users/me/posts/:post" }, params: { post: "7" } });
    expect(m("GET", "/users/42/posts/7")!.params).toEqual({ id: "42", post: "7" });
  });
  test("a named verb beats ANY; a wrong verb falls through", () => {
    expect(m("GET", "/verbs")!.route.method).toBe("GET");
    expect(m("DELETE", "/verbs")!.route.method).toBe("ANY");
    expect(m("GET", "/only-post")!.route.path).toBe("/*");
    expect(m("POST", "/only-post")!.route.path).toBe("/only-post");
  });
  test("strict host beats the longest wildcard beats any", () => {
    expect(m("GET", "/api", "api.example.com")!.route.host).toBe("api.example.com");
    expect(m("GET", "/api", "x.deep.example.com")!.route.host).toBe("*.deep.example.com");
    expect(m("GET", "/api", "www.example.com")!.route.host).toBe("*.example.com");
    expect(m("GET", "/api", "example.com")!.route.path).toBe("/*");
  });
  test("routes never leak between apps", () => {
    expect(m("GET", "/other/1", "x", "B")!.params).toEqual({ x: "1" });
    expect(m("GET", "/greet/bob", "x", "B")).toBeNull();
    expect(m("GET", "/x", "x", "C")).toBeNull();
  });
});

test("hostOf strips port, case and trailing dot", () => {
  expect(hostOf("Example.COM:8080")).toBe("example.com");
  expect(hostOf("example.com.")).toBe("example.com");
  expect(hostOf("[::1]:80")).toBe("[::1]");
  expect(hostOf(null)).toBe("");
});

