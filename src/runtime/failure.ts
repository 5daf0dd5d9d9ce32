import type { InvokeFailure } from "./types.ts";

/** A failure the platform reports before or instead of running the script (gate full, host replaced, closed). */
export const failure = (code: InvokeFailure["code"], message: string): InvokeFailure => ({
  ok: false,
  code,
  message,
  durationMs: 0,
  cpuMs: 0,
  console: [],
  consoleTruncated: false,
  cold: false,
});
