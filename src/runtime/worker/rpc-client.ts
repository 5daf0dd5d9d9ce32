// Worker half of the RPC path: a script's call out of the sandbox becomes a
// message naming the invocation; the main thread attaches the caller identity
// from its own record of that invocation (rpc.ts), never from the script.
import type { FromWorker, ToWorker } from "../protocol.ts";

export function createRpcClient(send: (msg: FromWorker) => void) {
  let nextCid = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  return {
    call(invocationId: number, method: string, args: unknown[]): Promise<unknown> {
      const cid = nextCid++;
      return new Promise((resolve, reject) => {
        pending.set(cid, { resolve, reject });
        send({ t: "rpc", id: invocationId, cid, method, args });
      });
    },
    settle(msg: Extract<ToWorker, { t: "rpc_res" }>) {
      const p = pending.get(msg.cid);
      if (!p) return;
      pending.delete(msg.cid);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(new Error(msg.message));
    },
  };
}
