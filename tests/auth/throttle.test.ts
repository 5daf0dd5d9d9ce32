// The login throttle's arithmetic, on a fake clock (the HTTP test proves the 429 path).
import { describe, expect, test } from "bun:test";
import { ADDRESS_POLICY, USERNAME_POLICY, createLoginThrottle, waitAfter } from "../../src/auth/throttle.ts";

const clock = () => {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
};

describe("login throttle", () => {
  test("the documented numbers: 5 free, then 1 s doubling, lockout of 15 min at 10", () => {
    expect([4, 5, 6, 7, 8, 9].map((n) => waitAfter(USERNAME_POLICY, n))).toEqual([0, 1000, 2000, 4000, 8000, 16000]);
    expect(waitAfter(USERNAME_POLICY, 10)).toBe(15 * 60_000);
    expect(waitAfter(ADDRESS_POLICY, 19)).toBe(0);
    expect(waitAfter(ADDRESS_POLICY, 20)).toBe(1000);
    expect(waitAfter(ADDRESS_POLICY, 50)).toBe(15 * 60_000);
  });

  test("slows down, then locks out, per username (case-insensitive)", () => {
    const c = clock();
    const th = createLoginThrottle({ now: c.now });
    for (let i = 0; i < 5; i++) {
      expect(th.retryAfterMs("alice", "10.0.0.1")).toBe(0);
      th.recordFailure(i % 2 ? "Alice" : "alice", "10.0.0.1");
    }
    expect(th.retryAfterMs("ALICE", null)).toBe(1000);
    expect(th.retryAfterMs("bob", "10.0.0.2")).toBe(0); // other users and addresses are unaffected
    c.advance(1000);
    expect(th.retryAfterMs("alice", null)).toBe(0);
    for (let n = 6; n < 10; n++) {
      th.recordFailure("alice", null);
      expect(th.retryAfterMs("alice", null)).toBe(2 ** (n - 5) * 1000);
      c.advance(2 ** (n - 5) * 1000);
    }
    th.recordFailure("alice", null); // the 10th
    expect(th.retryAfterMs("alice", null)).toBe(15 * 60_000);
    c.advance(15 * 60_000 - 1);
    expect(th.retryAfterMs("alice", null)).toBe(1);
    c.advance(1);
    expect(th.retryAfterMs("alice", null)).toBe(0);
  });

  test("a success clears the username but not the address", () => {
    const c = clock();
    const th = createLoginThrottle({ now: c.now });
    for (let i = 0; i < 25; i++) th.recordFailure(`user${i % 3}`, "10.0.0.9");
    th.recordSuccess("user0");
    expect(th.retryAfterMs("user0", null)).toBe(0);
    // 25 failures from one address: past its 20 free ones.
    expect(th.retryAfterMs("someone-else", "10.0.0.9")).toBe(32_000);
  });

  test("attempt counts before the password is checked, so a concurrent burst cannot slip through", () => {
    const c = clock();
    const th = createLoginThrottle({ now: c.now });
    // Ten attempts arrive together; none has finished hashing yet.
    const admitted = Array.from({ length: 10 }, () => th.attempt("dave", "10.0.0.3")).filter((w) => w === 0);
    expect(admitted).toHaveLength(5);
    // A success takes back its own charge: the address is not blamed for good logins.
    const th2 = createLoginThrottle({ now: c.now });
    for (let i = 0; i < 30; i++) {
      expect(th2.attempt(`user${i}`, "10.0.0.4")).toBe(0);
      th2.recordSuccess(`user${i}`, "10.0.0.4");
    }
    expect(th2.retryAfterMs("anyone", "10.0.0.4")).toBe(0);
  });

  test("failures are forgotten after the window", () => {
    const c = clock();
    const th = createLoginThrottle({ now: c.now });
    for (let i = 0; i < 6; i++) th.recordFailure("carol", null);
    c.advance(15 * 60_000 + 1);
    expect(th.retryAfterMs("carol", null)).toBe(0);
    th.recordFailure("carol", null); // counting starts again
    expect(th.retryAfterMs("carol", null)).toBe(0);
  });
});
