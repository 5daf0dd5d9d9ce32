// The `Deno` global inside the sandbox (DESIGN §3). Deno.serve and Deno.cron do
// not start anything: they record the handler / the declaration while the
// module evaluates, and the dispatcher (context.ts) reads `state` afterwards.
// Deno.env is a read-only view; it is empty until secrets land (wave 3).
// Runs inside the bootstrap closure; `state`, `defineGlobal`, `freeze` are in scope.
export const DENO_JS = `
const envMap = new Map();
const readOnly = (what) => () => { throw new TypeError("Deno.env is read-only in PiCloud (" + what + ")"); };
const serverStub = () => freeze({
  finished: resolved, addr: freeze({ transport: "tcp", hostname: "0.0.0.0", port: 0 }),
  shutdown() { return resolved; }, ref() {}, unref() {},
});
const Deno = {
  serve(a, b) {
    const handler = typeof a === "function" ? a : typeof b === "function" ? b : a && typeof a.handler === "function" ? a.handler : b && typeof b.handler === "function" ? b.handler : null;
    if (!handler) throw new TypeError("Deno.serve: a handler function is required");
    state.serve = handler;
    return serverStub();
  },
  cron(name, schedule, a, b) {
    const fn = typeof a === "function" ? a : b;
    if (typeof name !== "string" || !name) throw new TypeError("Deno.cron: name must be a non-empty string");
    if (typeof schedule !== "string") throw new TypeError("Deno.cron: PiCloud accepts cron strings only, e.g. \\"0 3 * * *\\"");
    if (typeof fn !== "function") throw new TypeError("Deno.cron: a handler function is required");
    if (state.crons.some((c) => c.name === name)) throw new TypeError("Deno.cron: duplicate cron name " + stringify(name));
    state.crons.push({ name, schedule, fn });
    return resolved;
  },
  env: freeze({
    get(key) { return envMap.get(String(key)); },
    has(key) { return envMap.has(String(key)); },
    toObject() { return Object.fromEntries(envMap); },
    set: readOnly("set"),
    delete: readOnly("delete"),
  }),
  version: freeze({ deno: "picloud", v8: "quickjs", typescript: "stripped" }),
  build: freeze({ os: "linux", arch: "wasm32", target: "quickjs" }),
};
defineGlobal("Deno", freeze(Deno));
`;
