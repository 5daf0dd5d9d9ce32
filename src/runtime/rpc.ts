// Main-thread half of the RPC path (worker → main). The caller identity comes
// from the pool's record of the invocation the message names, never from the
// message's arguments, so a script cannot act as another app (DESIGN §2).
import type { Logger } from "../log.ts";
import type { RpcCaller, RpcHandler } from "./types.ts";
import type { WireRequest, WireResponse } from "./worker/shims/index.ts";

/** Outbound fetch on the main thread: the SSRF guard of DESIGN §7 lives behind it. `signal` aborts when the invocation ends. */
export type FetchFn = (request: WireRequest, caller: RpcCaller, signal?: AbortSignal) => Promise<WireResponse>;

/** Per-invocation RPC state the pool keeps beside the invocation. */
export interface RpcState {
  caller: RpcCaller;
  /** Limits.concurrentFetches of the invocation. */
  maxFetches: number;
  fetchesInFlight: number;
  /** Fetches waiting for a slot, oldest first: more wait their turn. */
  fetchQueue: (() => void)[];
  /** Created on the first fetch; aborted when the invocation ends so no fetch outlives it. */
  abort: AbortController | null;
}

export function newRpcState(caller: RpcCaller, maxFetches: number): RpcState {
  return { caller, maxFetches, fetchesInFlight: 0, fetchQueue: [], abort: null };
}

/** The invocation is over: cancel its outbound fetches. */
export function endRpcState(state: RpcState) {
  state.abort?.abort();
  state.fetchQueue.length = 0;
}

export interface RpcServerOptions {
  log: Logger;
  rpc?: RpcHandler;
  fetch: FetchFn;
}

export function createRpcServer(opts: RpcServerOptions) {
  const acquire = (state: RpcState) =>
    new Promise<void>((resolve) => {
      if (state.fetchesInFlight < state.maxFetches) {
        state.fetchesInFlight++;
        resolve();
      } else {
        state.fetchQueue.push(() => {
          state.fetchesInFlight++;
          resolve();
        });
      }
    });
  const release = (state: RpcState) => {
    state.fetchesInFlight--;
    state.fetchQueue.shift()?.();
  };

  return {
    /** Serve one call; the result must survive structuredClone. */
    async handle(method: string, args: unknown[], state: RpcState): Promise<unknown> {
      if (method === "fetch") {
        if (state.maxFetches <= 0) throw new Error("outbound fetch is disabled for this script (concurrentFetches = 0)");
        const request = args[0] as WireRequest;
        if (!request || typeof request.url !== "string") throw new Error("fetch: invalid request");
        await acquire(state);
        state.abort ??= new AbortController();
        try {
          return await opts.fetch(request, state.caller, state.abort.signal);
        } finally {
          release(state);
        }
      }
      if (!opts.rpc) throw new Error(`"${method}" is not available in this PiCloud build`);
      return opts.rpc({ method, args }, state.caller);
    },
  };
}
