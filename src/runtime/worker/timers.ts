// Timers bounded by the invocation that set them (issue #2): a pending
// setTimeout/setInterval is cancelled when its invocation ends, so a script
// cannot keep running after its answer and its waitUntil tail are done.
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten-core";

export interface TimerOwner {
  /** Host timer ids owned by this invocation. */
  timers: Map<number, { handle: ReturnType<typeof setTimeout>; fn: QuickJSHandle; repeat: boolean }>;
}

export interface TimerHost<O extends TimerOwner> {
  /** The invocation a timer set now belongs to, or null outside any invocation (refused). */
  owner(): O | null;
  /** Run the callback inside the sandbox on behalf of `owner` (enter, call, pump). */
  fire(owner: O, fn: QuickJSHandle): void;
}

export function createTimers<O extends TimerOwner>(ctx: QuickJSContext, host: TimerHost<O>) {
  let nextId = 1;
  const byId = new Map<number, O>();
  // The callback being run right now: clearInterval from inside it must not
  // free the function QuickJS is executing (use-after-free → WASM fault).
  let firing: QuickJSHandle | null = null;

  const clear = (id: number) => {
    const owner = byId.get(id);
    if (!owner) return;
    byId.delete(id);
    const t = owner.timers.get(id);
    if (!t) return;
    owner.timers.delete(id);
    clearTimeout(t.handle);
    if (t.fn.alive && t.fn !== firing) t.fn.dispose();
  };

  return {
    /** host.setTimer(fn, ms, repeat) → id */
    setTimer: ctx.newFunction("setTimer", (fnHandle, msHandle, repeatHandle) => {
      const owner = host.owner();
      if (!owner) return ctx.newNumber(0);
      const ms = Math.max(0, ctx.getNumber(msHandle) || 0);
      const repeat = ctx.typeof(repeatHandle) === "boolean" && ctx.dump(repeatHandle) === true;
      const id = nextId++;
      const fn = fnHandle.dup();
      const tick = () => {
        const t = owner.timers.get(id);
        if (!t) return;
        if (!repeat) {
          owner.timers.delete(id);
          byId.delete(id);
        }
        const outer = firing;
        firing = fn;
        try {
          host.fire(owner, fn);
        } finally {
          firing = outer;
        }
        if (fn.alive && (!repeat || !owner.timers.has(id))) fn.dispose();
      };
      const handle = repeat ? setInterval(tick, Math.max(1, ms)) : setTimeout(tick, ms);
      owner.timers.set(id, { handle, fn, repeat });
      byId.set(id, owner);
      return ctx.newNumber(id);
    }),
    clearTimer: ctx.newFunction("clearTimer", (idHandle) => {
      clear(ctx.getNumber(idHandle));
    }),
    /** Cancel every timer of an invocation that ended. */
    cancelAll(owner: O) {
      for (const id of [...owner.timers.keys()]) clear(id);
    },
  };
}

/** In-sandbox half: the global functions, closing over the host hooks captured at bootstrap. */
export const TIMERS_JS = `
const checkFn = (name, fn) => { if (typeof fn !== "function") throw new TypeError(name + ": callback must be a function"); };
const bind = (fn, args) => args.length ? () => fn(...args) : fn;
defineGlobal("setTimeout", function setTimeout(fn, ms, ...args) { checkFn("setTimeout", fn); return hostSetTimer(bind(fn, args), +ms || 0, false); });
defineGlobal("setInterval", function setInterval(fn, ms, ...args) { checkFn("setInterval", fn); return hostSetTimer(bind(fn, args), +ms || 0, true); });
defineGlobal("clearTimeout", function clearTimeout(id) { if (typeof id === "number") hostClearTimer(id); });
defineGlobal("clearInterval", function clearInterval(id) { if (typeof id === "number") hostClearTimer(id); });
defineGlobal("queueMicrotask", function queueMicrotask(fn) {
  checkFn("queueMicrotask", fn);
  thenOf(resolved, fn).catch((e) => hostLog("error", "Uncaught (in microtask) " + inspect(e, 0)));
});
`;
