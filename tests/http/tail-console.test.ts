// Console lines a ctx.waitUntil tail writes after the answer reach the
// execution's log row, on both drivers; the console cap spans answer and tail.
import { expect, test } from "bun:test";
import { appendExecutionConsoles } from "../../src/db/queries/executions.ts";
import { eachDriver, startPicloud } from "../support/picloud.ts";
import { createScript, waitFor } from "./exec-helpers.ts";

const TAIL_LOGGER = `export default {
  fetch(req, ctx) {
    console.log("before the answer");
    ctx.waitUntil((async () => {
      await new Promise((r) => setTimeout(r, 20));
      console.warn("after the answer", ctx.executionId);
    })());
    return new Response("answered");
  },
};
`;

const TAIL_FLOOD = `export default {
  fetch(req, ctx) {
    console.log("x".repeat(50));
    ctx.waitUntil((async () => {
      await new Promise((r) => setTimeout(r, 20));
      console.log("y".repeat(200));
    })());
    return new Response("answered");
  },
};
`;

type Line = { level: string; message: string };

eachDriver((driver) => {
  const pic = startPicloud({ driver });

  const invoke = async (id: string) => {
    const res = await fetch(`${pic.url}/api/v1/execute/${id}`);
    expect(await res.text()).toBe("answered");
    return res.headers.get("x-picloud-execution-id")!;
  };

  const rowWith = (executionId: string, lineCount: number) =>
    waitFor(async () => {
      const res = await pic.api("GET", `/api/v1/admin/logs/${executionId}`);
      return res.status === 200 && res.body.console.length >= lineCount ? res.body : null;
    }, `${lineCount} console lines on ${executionId}`);

  test(`${driver}: a line logged by a waitUntil tail after the answer shows in the execution's log`, async () => {
    const s = await createScript(pic, "tail-logger", TAIL_LOGGER);
    const executionId = await invoke(s.id);
    const row = await rowWith(executionId, 2);
    expect(row.console.map((l: Line) => [l.level, l.message])).toEqual([
      ["log", "before the answer"],
      ["warn", `after the answer ${executionId}`],
    ]);
    expect(row.console_truncated).toBe(false);
    expect(row.status).toBe("ok");
  });

  test(`${driver}: tails ending together, in two apps, each reach their own row`, async () => {
    const other = await pic.api("POST", "/api/v1/admin/apps", { slug: "tail-other", name: "Tail other" });
    expect(other.status).toBe(201);
    const scripts = [
      await createScript(pic, "tail-many", TAIL_LOGGER),
      await createScript(pic, "tail-many", TAIL_LOGGER, {}, other.body.id),
    ];
    const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => invoke(scripts[i % 2]!.id)));
    for (const [i, executionId] of ids.entries()) {
      const row = await rowWith(executionId, 2);
      expect(row.app_id).toBe(scripts[i % 2]!.app_id);
      expect(row.console.map((l: Line) => l.message)).toEqual(["before the answer", `after the answer ${executionId}`]);
    }
  });

  test(`${driver}: an append names the app: another app's id finds no row and changes nothing`, async () => {
    const other = await pic.api("POST", "/api/v1/admin/apps", { slug: "tail-stranger", name: "Stranger" });
    const s = await createScript(pic, "tail-keyed", TAIL_LOGGER);
    const executionId = await invoke(s.id);
    const before = await rowWith(executionId, 2);
    const line = { level: "log" as const, ts: Date.now(), message: "forged" };
    expect(await appendExecutionConsoles(pic.db, [{ appId: other.body.id, id: executionId, lines: [line], truncated: true }])).toEqual([]);
    const after = (await pic.api("GET", `/api/v1/admin/logs/${executionId}`)).body;
    expect(after.console).toEqual(before.console);
    expect(after.console_truncated).toBe(false);
  });

  test(`${driver}: the console cap spans answer and tail, and the row says it was truncated`, async () => {
    const s = await createScript(pic, "tail-flood", TAIL_FLOOD, { limits: { console_bytes: 100 } });
    const executionId = await invoke(s.id);
    const row = await rowWith(executionId, 3);
    expect(row.console_truncated).toBe(true);
    expect(row.console.map((l: Line) => l.message)).toEqual([
      "x".repeat(50),
      "y".repeat(50),
      "[console output truncated at 100 bytes]",
    ]);
  });
});
