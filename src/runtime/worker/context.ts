// The `ctx` object of DESIGN §3 and the dispatcher that picks a handler form.
// Invocation facts cross the boundary as one JSON string (cheapest marshalling
// in QuickJS); waitUntil promises stay inside and are drained by `tail(seq)`.
// Runs inside the bootstrap closure; `state`, `parse`, `stringify`, `resolved`,
// `allSettled` and the host hooks are in scope.
export const CONTEXT_JS = `
const waits = new Map();
const PromiseCtor = Promise;
const noop = () => {};
const makeCtx = (seq, ctxJson) => {
  const ctx = parse(ctxJson);
  // Deno's ServeHandlerInfo.remoteAddr shape (Deno.NetAddr); the host took it from the socket.
  if (ctx.remoteAddr) ctx.remoteAddr = freeze({ transport: "tcp", hostname: ctx.remoteAddr.hostname, port: ctx.remoteAddr.port });
  ctx.waitUntil = function waitUntil(p) {
    let list = waits.get(seq);
    if (!list) { list = []; waits.set(seq, list); hostWaitUntil(seq); }
    list.push(thenOf(resolved, () => p));
  };
  return ctx;
};
const defaultExport = () => state.ns ? state.ns.default : undefined;
const fetchHandler = () => {
  const d = defaultExport();
  // ctx again as the third argument: Workers programs are written fetch(request, env, ctx)
  // and call ctx.waitUntil on the third.
  if (d && typeof d.fetch === "function") return (req, ctx) => d.fetch(req, ctx, ctx);
  if (state.serve) return state.serve;
  if (typeof d === "function") return d;
  return null;
};
// Completion is reported through hostSettle with intrinsics captured at
// bootstrap: a script replacing Promise.prototype.then cannot hide its answer.
const report = (seq, p) => { thenOf(p, (v) => hostSettle(seq, true, v), (e) => hostSettle(seq, false, e)); };
return {
  setModule(ns) { state.ns = ns; },
  watch(seq, p) { report(seq, p); },
  describe() {
    const d = defaultExport();
    return stringify({
      fetch: !!(d && typeof d.fetch === "function") || typeof d === "function",
      event: !!(d && typeof d.event === "function"),
      denoServe: !!state.serve,
      crons: state.crons.map((c) => ({ name: c.name, schedule: c.schedule })),
    });
  },
  // The handler's own return value goes back as is: the host reads a promise's
  // state itself (tamper-proof), so a handler that answers synchronously, or
  // an async one that never awaited, costs no promise jobs at all.
  http(seq, request, ctxJson) {
    const ctx = makeCtx(seq, ctxJson);
    const h = fetchHandler();
    if (!h) throw new TypeError("this script has no fetch handler: export default { fetch(request, ctx) } or call Deno.serve(handler)");
    if (h !== state.serve) return h(request, ctx);
    // Deno.serve's info.completed resolves with the handler's answer (PiCloud sends it when the
    // invocation ends). Made on first read, so handlers that never look cost no promise jobs. A
    // failed handler leaves it pending: rejecting it would run the script's callbacks later, during
    // another invocation.
    let completed = null, done = null, returned = false, out;
    const chain = () => { thenOf(thenOf(resolved, () => out), () => done(), noop); };
    Object.defineProperty(ctx, "completed", {
      enumerable: true,
      get() {
        if (!completed) {
          completed = new PromiseCtor((res) => { done = res; });
          if (returned) chain();
        }
        return completed;
      },
    });
    out = h(request, ctx);
    returned = true;
    if (completed) chain();
    return out;
  },
  event(seq, ctxJson) { report(seq, event(seq, ctxJson)); },
  tail(seq) { report(seq, tail(seq)); },
  forget(seq) { waits.delete(seq); },
};
async function event(seq, ctxJson) {
    const ctx = makeCtx(seq, ctxJson);
    const ev = ctx.event;
    if (ev && ev.type === "cron" && typeof ev.name === "string") {
      const c = state.crons.find((x) => x.name === ev.name);
      if (c) { await c.fn(); return undefined; }
    }
    const d = defaultExport();
    if (!d || typeof d.event !== "function") throw new TypeError("this script has no event handler: export default { event(event, ctx) }");
    const out = await d.event(ev, ctx);
    return out === undefined ? undefined : stringify(out);
}
async function tail(seq) {
    const list = waits.get(seq) || [];
    let done = 0;
    while (done < list.length) {
      const upTo = list.length;
      const results = await allSettled(list.slice(done, upTo));
      for (const r of results) if (r.status === "rejected") hostLog("error", "Uncaught (in waitUntil) " + inspect(r.reason, 0));
      done = upTo;
    }
    waits.delete(seq);
}
`;
