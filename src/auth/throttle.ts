// Login throttling (issue #4): failed logins are counted per username and per
// client address. After a few free attempts each further one must wait an
// exponentially growing delay; past a ceiling the key is locked out for a while.
// A throttled attempt is refused with 429 + Retry-After *before* the password is
// checked (and an admitted one is counted before it, see `attempt`), so it neither costs an argon2 verify nor reveals whether it was right,
// and the server never holds a connection open to "slow down" (that would let
// an attacker tie up sockets instead).
//
// State is in memory, per process, bounded by an LRU: a cluster node counts its
// own failures (documented in docs/security.md).
import { LRUCache } from "lru-cache";

export interface ThrottlePolicy {
  /** Failures allowed before any delay. */
  freeFailures: number;
  /** Delay after the first failure beyond the free ones; doubles with each further failure. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** At this many failures the key is locked out for `lockoutMs` from the last failure. */
  lockoutAt: number;
  lockoutMs: number;
  /** Failures older than this (since the last one) are forgotten. */
  windowMs: number;
}

const MINUTE = 60_000;

/** Per username: 5 free, then 1 s, 2 s, 4 s, 8 s, 16 s; the 10th failure locks it for 15 min. */
export const USERNAME_POLICY: ThrottlePolicy = {
  freeFailures: 5, baseDelayMs: 1_000, maxDelayMs: 60_000, lockoutAt: 10, lockoutMs: 15 * MINUTE, windowMs: 15 * MINUTE,
};
/** Per address (looser: a household or office shares one): 20 free, then doubling from 1 s; 50 locks for 15 min. */
export const ADDRESS_POLICY: ThrottlePolicy = {
  freeFailures: 20, baseDelayMs: 1_000, maxDelayMs: 60_000, lockoutAt: 50, lockoutMs: 15 * MINUTE, windowMs: 15 * MINUTE,
};

interface Entry {
  failures: number;
  lastFailureAt: number;
}

export interface LoginThrottle {
  /** Milliseconds the caller must wait before trying again, or 0. */
  retryAfterMs(username: string, address: string | null): number;
  recordFailure(username: string, address: string | null): void;
  /**
   * Admit an attempt or say how long to wait. An admitted attempt is counted as a
   * failure *before* the password is checked, so a burst of concurrent attempts
   * cannot all slip through while the first ones are still hashing; `recordSuccess`
   * takes it back.
   */
  attempt(username: string, address: string | null): number;
  /**
   * A correct password clears the username's count, and takes back the one failure
   * `attempt` charged to the address (only that one: a good account must not launder a spray).
   */
  recordSuccess(username: string, address?: string | null): void;
}

/** How long after the last failure the next attempt must wait, for a key with `failures` failures. */
export function waitAfter(policy: ThrottlePolicy, failures: number): number {
  if (failures >= policy.lockoutAt) return policy.lockoutMs;
  if (failures < policy.freeFailures) return 0;
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failures - policy.freeFailures));
}

export function createLoginThrottle(
  opts: { username?: ThrottlePolicy; address?: ThrottlePolicy; now?: () => number; maxKeys?: number } = {},
): LoginThrottle {
  const now = opts.now ?? Date.now;
  const policies = { u: opts.username ?? USERNAME_POLICY, a: opts.address ?? ADDRESS_POLICY };
  const entries = new LRUCache<string, Entry>({ max: opts.maxKeys ?? 10_000 });

  const live = (key: string, policy: ThrottlePolicy, t: number): Entry | undefined => {
    const e = entries.get(key);
    if (e && t - e.lastFailureAt > Math.max(policy.windowMs, waitAfter(policy, e.failures))) {
      entries.delete(key);
      return undefined;
    }
    return e;
  };
  const wait = (key: string, policy: ThrottlePolicy, t: number) => {
    const e = live(key, policy, t);
    return e ? Math.max(0, e.lastFailureAt + waitAfter(policy, e.failures) - t) : 0;
  };
  const fail = (key: string, policy: ThrottlePolicy, t: number) => {
    const e = live(key, policy, t);
    entries.set(key, { failures: (e?.failures ?? 0) + 1, lastFailureAt: t });
  };
  const userKey = (username: string) => `u:${username.toLowerCase()}`;
  const addressKey = (address: string) => `a:${address}`;

  const throttle: LoginThrottle = {
    retryAfterMs(username, address) {
      const t = now();
      const byUser = wait(userKey(username), policies.u, t);
      return address ? Math.max(byUser, wait(addressKey(address), policies.a, t)) : byUser;
    },
    recordFailure(username, address) {
      const t = now();
      fail(userKey(username), policies.u, t);
      if (address) fail(addressKey(address), policies.a, t);
    },
    attempt(username, address) {
      const waitMs = throttle.retryAfterMs(username, address);
      if (waitMs === 0) throttle.recordFailure(username, address);
      return waitMs;
    },
    recordSuccess(username, address) {
      entries.delete(userKey(username));
      const e = address ? entries.get(addressKey(address)) : undefined;
      if (e) {
        if (e.failures <= 1) entries.delete(addressKey(address!));
        else e.failures -= 1;
      }
    },
  };
  return throttle;
}
