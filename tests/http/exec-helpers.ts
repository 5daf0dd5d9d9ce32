// Helpers shared by the routes, data-plane and logs suites.
import { expect } from "bun:test";
import type { Picloud } from "../support/picloud.ts";

/** Echoes what the platform handed the script: method, url, ctx.params/rest/query/principal, body size. */
export const ECHO_CTX = `export default {
  async fetch(req, ctx) {
    const body = await req.text();
    return Response.json({
      method: req.method, url: req.url, host: req.headers.get("host"),
      params: ctx.params, rest: ctx.rest, query: ctx.query, principal: ctx.principal,
      bodyLength: body.length, script: ctx.script.name, executionId: ctx.executionId,
    });
  },
};
`;

export async function defaultAppId(pic: Picloud): Promise<string> {
  const res = await pic.api("GET", "/api/v1/admin/apps/default");
  expect(res.status).toBe(200);
  return res.body.id;
}

export async function createScript(
  pic: Picloud,
  name: string,
  source: string,
  extra: Record<string, unknown> = {},
  appId?: string,
): Promise<{ id: string; app_id: string; version: number }> {
  const app_id = appId ?? (await defaultAppId(pic));
  const res = await pic.api("POST", "/api/v1/admin/scripts", { app_id, name, source, ...extra });
  if (res.status !== 201) throw new Error(`script ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function addRoute(pic: Picloud, scriptId: string, route: Record<string, unknown>) {
  return pic.api("POST", `/api/v1/admin/scripts/${scriptId}/routes`, route);
}

export async function claim(pic: Picloud, domain: string, appId?: string) {
  const id = appId ?? (await defaultAppId(pic));
  const res = await pic.api("POST", `/api/v1/admin/apps/${id}/domains`, { domain });
  if (res.status !== 201) throw new Error(`claim ${domain}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A data-plane request with an explicit Host header (the socket is always 127.0.0.1). */
export async function call(pic: Picloud, host: string, path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("host", host);
  const res = await fetch(`${pic.url}${path}`, { ...init, headers, redirect: "manual" });
  const text = await res.text();
  let body: any = text;
  if ((res.headers.get("content-type") ?? "").includes("json") && text) body = JSON.parse(text);
  return { status: res.status, body, headers: res.headers };
}

export async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, what: string, tries = 200): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn();
    if (v) return v;
    await Bun.sleep(25);
  }
  throw new Error(`gave up waiting for ${what}`);
}
