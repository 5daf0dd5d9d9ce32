// Console capture: each invocation keeps its own lines, capped at the script's
// consoleBytes. Past the cap the rest is dropped and one marker line says so,
// so `for(;;) console.log(bigString)` costs the script CPU, never host memory.
import type { ConsoleLine } from "../types.ts";

export type ConsoleLevel = ConsoleLine["level"];
const LEVELS: readonly ConsoleLevel[] = ["log", "info", "warn", "error", "debug"];

export interface ConsoleBuffer {
  readonly lines: ConsoleLine[];
  readonly truncated: boolean;
  /** False once the cap was reached: callers may skip building the message. */
  readonly open: boolean;
  push(level: ConsoleLevel, message: string): void;
}

export function createConsoleBuffer(capBytes: number): ConsoleBuffer {
  const lines: ConsoleLine[] = [];
  let used = 0;
  let truncated = false;
  return {
    lines,
    get truncated() {
      return truncated;
    },
    get open() {
      return !truncated;
    },
    push(level, message) {
      if (truncated) return;
      const ts = Date.now();
      // Count UTF-16 code units: cheap and an upper bound on what we keep per char pair.
      if (used + message.length <= capBytes) {
        used += message.length;
        lines.push({ level, ts, message });
        return;
      }
      const room = capBytes - used;
      if (room > 0) lines.push({ level, ts, message: message.slice(0, room) });
      used = capBytes;
      truncated = true;
      lines.push({ level: "warn", ts, message: `[console output truncated at ${capBytes} bytes]` });
    },
  };
}

/** Level names the sandbox may send; anything else is logged as "log". */
export function asLevel(value: string): ConsoleLevel {
  return (LEVELS as readonly string[]).includes(value) ? (value as ConsoleLevel) : "log";
}

/**
 * In-sandbox half: formats arguments inside QuickJS (so objects are inspected
 * where they live) and hands one string per call to `hostLog`.
 * Runs inside the bootstrap closure; `hostLog`, `defineGlobal` are in scope.
 */
export const CONSOLE_JS = `
const inspect = (v, depth) => {
  if (typeof v === "string") return depth ? stringify(v) : v;
  if (v === undefined) return "undefined";
  if (typeof v === "function") return "[Function " + (v.name || "anonymous") + "]";
  if (typeof v === "symbol" || typeof v === "bigint") return String(v) + (typeof v === "bigint" ? "n" : "");
  if (v instanceof Error) return (v.stack ? v.name + ": " + v.message + "\\n" + v.stack : v.name + ": " + v.message);
  if (v === null || typeof v !== "object") return String(v);
  try {
    const seen = new WeakSet();
    return stringify(v, (k, x) => {
      if (typeof x === "bigint") return String(x) + "n";
      if (typeof x === "object" && x !== null) { if (seen.has(x)) return "[Circular]"; seen.add(x); }
      if (typeof x === "function") return "[Function " + (x.name || "anonymous") + "]";
      return x;
    }) ?? String(v);
  } catch { return Object.prototype.toString.call(v); }
};
const format = (args) => {
  let s = "";
  for (let i = 0; i < args.length; i++) s += (i ? " " : "") + inspect(args[i], 0);
  return s;
};
const consoleObject = {};
for (const level of ["log", "info", "warn", "error", "debug"]) {
  consoleObject[level] = function (...args) { hostLog(level, format(args)); };
}
consoleObject.trace = consoleObject.debug;
consoleObject.assert = function (cond, ...args) { if (!cond) hostLog("error", "Assertion failed" + (args.length ? ": " + format(args) : "")); };
defineGlobal("console", consoleObject);
`;
