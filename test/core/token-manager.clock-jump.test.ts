/**
 * A forward wall-clock jump with a custom clock that has only `now()` (issue 14): common in tests that mock
 * `Date` (peer-token-managers: Auth0's `nowProvider`; supabase/auth-js#856 compares server times with
 * `Date.now()`). Without a monotonic clock, a timer late by the wall clock is the only sign of the jump; a call
 * that reads the clock before that timer fires sees it too. The issuer's clock is the truth (it does not jump).
 */
import { afterEach, describe, expect, it } from "vitest";
import { TokenManager } from "../../src/index";
import { createFakeClock, type FakeClock } from "../../src/testing/fake-clock";
import { fakeIssuer } from "../support/manager-harness";

const T0 = Date.UTC(2026, 0, 1, 12);
const S = 1_000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const managers: TokenManager[] = [];
afterEach(() => {
  for (const manager of managers.splice(0)) manager.dispose();
});

/** A manager on a clock of `{ now, setTimeout, clearTimeout, random }` only, driven by `fake`'s timers. */
function nowOnlyWorld() {
  const fake: FakeClock = createFakeClock({ now: T0, random: () => 0.5 });
  fake.maxTimersPerAdvance = 10_000;
  const issuer = fakeIssuer(fake, T0);
  let fetches = 0;
  const clock = { now: fake.now, setTimeout: fake.setTimeout, clearTimeout: fake.clearTimeout, random: fake.random };
  const manager = new TokenManager({
    clock,
    fetchToken: async ({ reason }) => {
      fetches += 1;
      return issuer.token(reason);
    },
  });
  managers.push(manager);
  /** One call: its token's validity left by the issuer's clock, or its error's code. */
  const call = () =>
    manager.getToken().then(
      (token) => (token === null ? "null" : issuer.remaining(token)),
      (error: { code?: string }) => error.code ?? "error",
    );
  return { fake, issuer, manager, call, fetches: () => fetches };
}

describe("a forward wall-clock jump with a clock that has only now()", () => {
  it("1 h forward, a call at once: the issuer's fresh token is served at once (was: 10 min of errors)", async () => {
    const w = nowOnlyWorld();
    await w.call();
    await w.fake.advance(MIN);
    const before = w.fetches();
    w.fake.jump(HOUR);
    const results: (number | string)[] = [];
    for (let i = 0; i < 10 * 60; i++) {
      results.push(await w.call());
      await w.fake.advance(S);
    }
    const rejected = results.filter((r) => typeof r === "string");
    expect(rejected).toEqual([]); // before: 600 calls rejected with ERR_TOKEN_EXPIRED
    expect(results.every((r) => typeof r === "number" && r > 0)).toBe(true);
    expect(w.fetches() - before).toBe(1); // before: 21
  });

  it("1 h forward, the first call a few seconds later (the timer fires late first): the same", async () => {
    const w = nowOnlyWorld();
    await w.call();
    await w.fake.advance(MIN);
    const before = w.fetches();
    w.fake.jump(HOUR);
    await w.fake.advance(6 * S); // the refresh timer's 5-s step fires, an hour late by the wall clock
    for (let i = 0; i < 60; i++) {
      expect(await w.call()).toBeGreaterThan(0);
      await w.fake.advance(S);
    }
    expect(w.fetches() - before).toBe(1);
  });

  it("a late timer without a jump (a blocked loop) is told apart by the next token: no skew invented", async () => {
    const w = nowOnlyWorld();
    await w.call();
    await w.fake.sleep(2 * MIN); // no timer fires for 2 min: both clocks moved, the issuer's too
    expect(await w.call()).toBeGreaterThan(0);
    expect(w.manager.getSnapshot().clockSkewMs).toBe(0);
  });
});

describe("a forward jump while signed out, with a clock that has only now()", () => {
  it("no timer saw it: after start(), the next token is a first contact (was ERR_TOKEN_EXPIRED for good)", async () => {
    const w = nowOnlyWorld();
    await w.call();
    w.manager.signOut();
    await w.fake.advance(MIN);
    w.fake.jump(HOUR);
    w.manager.start();
    const results: (number | string)[] = [];
    for (let i = 0; i < 60; i++) {
      results.push(await w.call());
      await w.fake.advance(S);
    }
    expect(results.filter((r) => typeof r === "string")).toEqual([]); // before: ERR_TOKEN_EXPIRED, every call
    expect(results.every((r) => typeof r === "number" && r > 0)).toBe(true);
  });
});
