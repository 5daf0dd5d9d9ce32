// Global execution gate (DESIGN §4): a counter, not a queue. Refuse at once
// rather than queue: a Pi under load must shed work it cannot finish.

export interface Gate {
  /** Take a slot; false when all `max` slots are in use. */
  tryAcquire(): boolean;
  release(): void;
  readonly inUse: number;
  readonly max: number;
}

export function createGate(max: number): Gate {
  let inUse = 0;
  return {
    tryAcquire() {
      if (inUse >= max) return false;
      inUse++;
      return true;
    },
    release() {
      if (inUse > 0) inUse--;
    },
    get inUse() {
      return inUse;
    },
    max,
  };
}
