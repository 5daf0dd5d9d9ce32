// The in-sandbox bootstrap: one closure evaluated once per context. It captures
// the intrinsics and host hooks it uses before any user code runs (so a script
// that later replaces JSON, Promise or console cannot change how the platform
// talks to it), installs console, timers and Deno, and returns the dispatcher.
import { CONSOLE_JS } from "./console.ts";
import { CONTEXT_JS } from "./context.ts";
import { DENO_JS } from "./deno.ts";
import { TIMERS_JS } from "./timers.ts";

export const BOOTSTRAP_JS = `(function (host) {
"use strict";
const { parse, stringify } = JSON;
const freeze = Object.freeze;
const resolved = Promise.resolve();
const thenOf = Function.prototype.call.bind(Promise.prototype.then);
const allSettled = Promise.allSettled.bind(Promise);
const hostLog = host.log, hostSetTimer = host.setTimer, hostClearTimer = host.clearTimer, hostWaitUntil = host.waitUntil, hostSettle = host.settle;
const defineGlobal = (name, value) => Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
const state = { serve: null, crons: [], ns: null };
${CONSOLE_JS}
${TIMERS_JS}
${DENO_JS}
${CONTEXT_JS}
})`;
