import { expect, test } from "bun:test";
import { loadConfig } from "../../src/config.ts";
import { effectiveLimits, findLimitAboveCeiling } from "../../src/runtime/limits.ts";

const { defaults, ceilings } = loadConfig({ PICLOUD_MAX_MEMORY_MB: "100" }).runtime;

test("missing limits take the defaults; asked limits are clamped to the ceilings", () => {
  expect(effectiveLimits(defaults, ceilings)).toEqual(defaults);
  const l = effectiveLimits(defaults, ceilings, { memoryMb: 500, timeoutMs: 1000, cpuMs: Number.NaN });
  expect(l.memoryMb).toBe(100);
  expect(l.timeoutMs).toBe(1000);
  expect(l.cpuMs).toBe(defaults.cpuMs);
});

test("a default above its ceiling is clamped by the config", () => {
  const c = loadConfig({ PICLOUD_MAX_TIMEOUT_MS: "500" }).runtime;
  expect(c.defaults.timeoutMs).toBe(500);
});

test("the save-time validator names the first limit above its ceiling", () => {
  expect(findLimitAboveCeiling(ceilings, undefined)).toBeNull();
  expect(findLimitAboveCeiling(ceilings, { memoryMb: 100, timeoutMs: 10 })).toBeNull();
  expect(findLimitAboveCeiling(ceilings, { memoryMb: 101 })).toBe("memoryMb");
  expect(findLimitAboveCeiling(ceilings, { consoleBytes: -1 })).toBe("consoleBytes");
  expect(findLimitAboveCeiling(ceilings, { cpuMs: "5" as unknown as number })).toBe("cpuMs");
});
