// The execution gate through the full stack (DESIGN §4): past
// PICLOUD_MAX_CONCURRENT_EXECUTIONS a request is answered 503 + Retry-After: 1
// at once, and a script that fetches itself in a fan-out loop is bounded by it.
import { beforeAll, describe, expect, test } from "bun:test";
import { eachDriver, startPicloud } from "../support/picloud.ts";
import { deploy, expectErrorShape } from "./fixtures/harness.ts";

eachDriver((driver) => {
  describe(`${driver}: the execution gate`, () => {
    const pic = startPicloud({ driver, env: { PICLOUD_MAX_CONCURRENT_EXECUTIONS: "4", PICLOUD_WORKERS: "1", PICLOUD_HTTP_ALLOW_PRIVATE: "true" } });
    let slow = "";
    let quick = "";

    beforeAll(async () => {
      slow = (await deploy(pic, "slow", `export default { async fetch() { await new Promise((r) => setTimeout(r, 1500)); return new Response("slow done"); } };`)).id;
      quick = (await deploy(pic, "quick", `export default { fetch: () => new Response("quick") };`)).id;
    }, 60_000);

    test("requests past the gate get 503 + Retry-After: 1 at once, then service resumes", async () => {
      const all = await Promise.all(
        Array.from({ length: 12 }, () => fetch(`${pic.url}/api/v1/execute/${slow}`).then(async (r) => ({
          status: r.status, retry: r.headers.get("retry-after"), body: await r.text(),
        }))),
      );
      const done = all.filter((r) => r.status === 200);
      const shed = all.filter((r) => r.status === 503);
      expect(done.length).toBe(4);
      expect(shed.length).toBe(8);
      for (const r of done) expect(r.body).toBe("slow done");
      for (const r of shed) {
        expect(r.retry).toBe("1");
        expectErrorShape(JSON.parse(r.body), "gate_full");
      }
      const after = await fetch(`${pic.url}/api/v1/execute/${quick}`);
      expect(after.status).toBe(200);
      expect(await after.text()).toBe("quick");
    });

    test("a script that fetches itself in a fan-out loop is bounded by the gate; the server survives", async () => {
      const bomb = await deploy(pic, "fork-bomb", `export default {
        async fetch(req) {
          const results = await Promise.all([1, 2].map(() => fetch(req.url).then((r) => r.status, (e) => "error")));
          return Response.json({ results });
        },
      };`, { timeout_ms: 10_000 });
      const res = await fetch(`${pic.url}/api/v1/execute/${bomb.id}`);
      expect([200, 503, 504]).toContain(res.status);
      await res.text();
      // Once the storm is over, everything answers again.
      let after = 0;
      for (let i = 0; i < 100 && after !== 200; i++) {
        after = (await fetch(`${pic.url}/api/v1/execute/${quick}`)).status;
        if (after !== 200) await Bun.sleep(100);
      }
      expect(after).toBe(200);
      expect((await fetch(`${pic.url}/healthz`)).status).toBe(200);
    }, 60_000);
  });
});
