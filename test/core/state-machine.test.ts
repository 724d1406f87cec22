/**
 * The state machine (`src/core/state-machine.ts`) as the app sees it, on an injected FakeClock: the payloads
 * of `refreshing`, `error` and `discarded`, the `"offline"`/`"online"` bookkeeping of `notify()`, what callers
 * waiting on a fetch get, the log lines a failure and a sign-out leave, a held token outliving a long
 * Retry-After, the fetch reason of a late timer, and a sleep not taken for a jump. Written from the survivors
 * of `npm run mutate` (CONTRIBUTING.md, "Mutation testing").
 *
 * `clock.advance(ms)` fires each timer when it falls due; `clock.sleep(ms)` moves both clocks at once and fires the
 * overdue timers only after a macrotask (late: their fetch reason is "wake"): what the test does synchronously
 * after calling it sees the time moved but the timer not yet fired.
 */
import { describe, expect, it, vi } from "vitest";
import type { TokenManagerOptions } from "../../src/index";
import type { FetchErrorEvent, RefreshingEvent } from "../../src/core/events";
import { httpError, useMintClock, useManagerWorld } from "../support/manager-harness";

const START = Date.parse("2026-01-01T00:00:00Z");
const world = useManagerWorld({ now: START, random: () => 0.5 });

function setup(options: Partial<TokenManagerOptions> = {}) {
  const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const { manager, script } = world.managed({ logger, ...options });
  const tokens: { expiresAt: number; refreshAt: number }[] = [];
  const refreshing: RefreshingEvent[] = [];
  const errors: FetchErrorEvent[] = [];
  const discarded: unknown[] = [];
  manager.on("token", (event) => tokens.push(event));
  manager.on("refreshing", (event) => refreshing.push(event));
  manager.on("error", (event) => errors.push(event));
  manager.on("discarded", (event) => discarded.push(event));
  return { manager, script, logger, tokens, refreshing, errors, discarded };
}

const lines = (spy: ReturnType<typeof vi.fn>) => spy.mock.calls.map((call) => String(call[0]));

describe("the refreshing event", () => {
  it("says why and which attempt: the first fetch, then the retry after a failure", async () => {
    const { manager, script, refreshing } = setup();
    script.next({ kind: "throw", error: httpError(503) });
    manager.start();
    await world.clock.advance(0);
    expect(refreshing).toEqual([{ reason: "initial", attempt: 1 }]);
    await world.clock.advance(60_000);
    expect(refreshing).toEqual([
      { reason: "initial", attempt: 1 },
      { reason: "retry", attempt: 2 },
    ]);
    expect(script.calls.map((call) => [call.reason, call.attempt])).toEqual([
      ["initial", 1],
      ["retry", 2],
    ]);
  });

  it('says "initial" for start() after a sign-out too, and the debug log names the call', async () => {
    const { manager, script, refreshing, logger } = setup();
    await manager.getToken();
    manager.signOut();
    manager.start();
    await world.clock.advance(0);
    expect(refreshing).toEqual([
      { reason: "initial", attempt: 1 },
      { reason: "initial", attempt: 1 },
    ]);
    expect(script.calls.map((call) => call.reason)).toEqual(["initial", "initial"]);
    expect(lines(logger.debug)).toContain('[convex-custom-jwt] calling fetchToken (reason "initial", attempt 1)');
  });

  it("is not emitted when a subscribe() listener signs out as the fetch begins", async () => {
    const { manager, script, refreshing } = setup();
    const signedOut: unknown[] = [];
    manager.on("signedOut", (event) => signedOut.push(event));
    manager.subscribe(() => {
      if (manager.getSnapshot().status === "fetching") manager.signOut();
    });
    expect(await manager.getToken()).toBeNull();
    expect(refreshing).toEqual([]);
    expect(signedOut).toEqual([{ reason: "signOut" }]);
    expect(script.calls).toHaveLength(0);
  });
});

describe("a refresh timer woken late (a machine that slept)", () => {
  it('is "scheduled" up to 5 s late', async () => {
    const { manager, script, tokens } = setup();
    await manager.getToken();
    await world.clock.advance(tokens[0]!.refreshAt - world.clock.now() - 1);
    await world.clock.sleep(5_001);
    expect(script.calls.map((call) => call.reason)).toEqual(["initial", "scheduled"]);
  });

  it('is "wake" beyond 5 s late', async () => {
    const { manager, script, tokens } = setup();
    await manager.getToken();
    await world.clock.advance(tokens[0]!.refreshAt - world.clock.now() - 1);
    await world.clock.sleep(5_002);
    expect(script.calls.map((call) => call.reason)).toEqual(["initial", "wake"]);
  });
});

describe("a sleep the monotonic clock counted, then a jump of the wall clock", () => {
  it("the sleep is no jump: the jump after it is told by the next new token", async () => {
    // The issuer mints two-hour tokens on the true (monotonic) time; this device's wall clock then jumps.
    useMintClock(() => START + world.clock.monotonicNow());
    const { manager, script, tokens } = setup();
    script.always({ kind: "token", lifetimeSec: 7_200 });
    const first = await manager.getToken();
    script.next({ kind: "raw", value: first }); // the refresh on waking gets the held token back: it tells nothing
    await world.clock.sleep(tokens[0]!.refreshAt - world.clock.now() + 60_000);
    expect(script.calls.map((call) => call.reason)).toEqual(["initial", "wake"]);
    expect(manager.getSnapshot().clockSkewMs).toBe(0);
    world.clock.jump(600_000);
    await manager.getToken({ forceRefresh: true });
    expect(manager.getSnapshot().clockSkewMs).toBe(600_000);
    expect(tokens.at(-1)!.expiresAt - world.clock.now()).toBe(7_199_000);
  });
});

describe("notify(): the network's state and signals that bring nothing forward", () => {
  it('after "offline", a "focus" does not end it: a failure waits for "online" and spends no retry', async () => {
    const { manager, script, errors } = setup();
    manager.notify("offline");
    manager.notify("focus");
    script.next({ kind: "throw", error: httpError(503) });
    manager.start();
    await world.clock.advance(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.retryAt).toBe(Number.POSITIVE_INFINITY);
    await world.clock.advance(600_000);
    expect(script.calls).toHaveLength(1);
    manager.notify("online");
    await world.clock.advance(0);
    expect(script.calls.map((call) => call.reason)).toEqual(["initial", "online"]);
  });

  it('"online" ends "offline": the next failure is retried on the backoff again', async () => {
    const { manager, script, errors } = setup();
    manager.notify("offline");
    manager.notify("online");
    script.next({ kind: "throw", error: httpError(503) });
    manager.start();
    await world.clock.advance(0);
    expect(Number.isFinite(errors[0]!.retryAt)).toBe(true);
    await world.clock.advance(60_000);
    expect(script.calls.map((call) => call.reason)).toEqual(["initial", "retry"]);
  });

  it('"offline" past the refresh point (the timer not fired yet: a sleeping machine) starts no fetch', async () => {
    const { manager, script, tokens } = setup();
    await manager.getToken();
    const sleeping = world.clock.sleep(tokens[0]!.refreshAt - world.clock.now());
    manager.notify("offline");
    expect(manager.getSnapshot().status).toBe("valid");
    await sleeping;
    expect(script.calls.map((call) => call.reason)).toEqual(["initial", "wake"]);
  });

  it('"focus" with a fresh token starts no fetch', async () => {
    const { manager, script, refreshing } = setup();
    await manager.getToken();
    manager.notify("focus");
    manager.notify("wake");
    manager.notify("online");
    await world.clock.advance(0);
    expect(script.calls).toHaveLength(1);
    expect(refreshing).toHaveLength(1);
  });
});

describe("a failed fetch: the error event, the snapshot and the log", () => {
  it("says whether the held token is still served: yes before its serving limit", async () => {
    const { manager, script, errors, tokens } = setup();
    await manager.getToken();
    script.next({ kind: "throw", error: httpError(503) });
    await world.clock.advance(tokens[0]!.refreshAt - world.clock.now());
    expect(errors.map((event) => event.servingToken)).toEqual([true]);
  });

  it("no once the refresh fails at the serving limit, though the token has not expired", async () => {
    // refreshAt = serveUntil = exp - 10 s: the failure lands exactly at the serving limit.
    const { manager, script, errors, tokens } = setup({ refreshLeewayMs: 10_000, refreshJitterMs: 0 });
    await manager.getToken();
    script.next({ kind: "throw", error: httpError(503) });
    await world.clock.advance(tokens[0]!.refreshAt - world.clock.now());
    expect(tokens[0]!.expiresAt - world.clock.now()).toBe(10_000);
    expect(errors.map((event) => event.servingToken)).toEqual([false]);
  });

  it("no without a token, and the snapshot counts the failures and keeps the last error", async () => {
    const { manager, script, errors } = setup();
    const first = httpError(503);
    const second = httpError(502);
    script.next({ kind: "throw", error: first }, { kind: "throw", error: second });
    manager.start();
    await world.clock.advance(0);
    expect(errors.map((event) => event.servingToken)).toEqual([false]);
    expect(manager.getSnapshot()).toMatchObject({ failures: 1, error: first });
    while (errors.length < 2) await world.clock.advance(1_000);
    expect(manager.getSnapshot()).toMatchObject({ status: "retrying", failures: 2, error: second });
  });

  it("logs a warning naming the attempt, the error and the next try", async () => {
    const { manager, script, logger } = setup();
    script.next({ kind: "throw", error: httpError(503) });
    manager.start();
    await world.clock.advance(0);
    expect(lines(logger.warn)).toEqual([
      expect.stringMatching(/^\[convex-custom-jwt\] fetchToken attempt 1 failed: .*HTTP 503.*\. \S/),
    ]);
  });
});

describe("what callers waiting on a fetch get", () => {
  it("a caller asking for more validity than the new token has gets an error naming both lengths", async () => {
    const { manager } = setup();
    const asking = manager.getToken({ minValidityMs: 1_200_000 });
    await expect(asking).rejects.toMatchObject({ code: "ERR_TOKEN_TOO_SHORT_LIVED" });
    await expect(asking).rejects.toThrow("valid 900 s, less than the 1200 s asked");
  });
});

describe("a fetch queued behind a fetcher call that ignored its abort", () => {
  it("begins when that call's deadline passes, with a whole fetchTimeoutMs of its own", async () => {
    const calls: number[] = [];
    const { manager, errors } = setup({
      fetchTimeoutMs: 10_000,
      // Never settles, and ignores its aborted signal.
      fetchToken: () => {
        calls.push(world.clock.now());
        return new Promise<string>(() => {});
      },
    });
    manager.start();
    await world.clock.advance(2_000);
    manager.signOut();
    manager.start(); // queued: the first call is in flight until its deadline (10 s after it began)
    await world.clock.advance(8_000);
    expect(calls.map((at) => at - START)).toEqual([0, 10_000]);
    await world.clock.advance(9_999);
    expect(errors).toEqual([]);
    await world.clock.advance(1);
    expect(errors.map((event) => (event.error as { code?: string }).code)).toEqual(["ERR_TOKEN_FETCH_TIMEOUT"]);
    expect(calls).toHaveLength(2);
  });
});

describe("a held token outliving a long Retry-After", () => {
  it("is dropped when it expires, without a fetch before the Retry-After has passed", async () => {
    const { manager, script, tokens } = setup();
    await manager.getToken();
    script.next({ kind: "throw", error: httpError(503, 1_800_000) });
    await world.clock.advance(tokens[0]!.expiresAt - world.clock.now() + 1_000);
    expect(script.calls.map((call) => call.reason)).toEqual(["initial", "scheduled"]);
    expect(manager.getSnapshot()).toMatchObject({ status: "retrying", hasToken: false });
  });
});

describe("sign-out", () => {
  it("from a valid token logs no error (there is no fetch to abort)", async () => {
    const { manager, logger } = setup();
    await manager.getToken();
    manager.signOut();
    expect(logger.error).not.toHaveBeenCalled();
  });

  it("aborts the fetch in flight even when the app's signal listener throws, and says so in the log", async () => {
    const { manager, logger } = setup({
      fetchToken: ({ signal }) => {
        // A hostile signal: its dispatch throws out of abort() (a native listener's throw would not).
        signal.dispatchEvent = () => {
          throw new Error("listener broke");
        };
        return new Promise<string>(() => {});
      },
    });
    manager.start();
    manager.signOut();
    expect(lines(logger.error)).toEqual([
      "[convex-custom-jwt] A listener on the fetch's `signal` (in the app's `fetchToken`) threw: listener broke. " +
        "The fetch was aborted all the same: fix that listener so it does not throw.",
    ]);
    expect(manager.getSnapshot().status).toBe("signedOut");
  });

  it("by a warning listener, while a token comes in, discards that token (the discarded event says so)", async () => {
    const { manager, script, discarded, tokens } = setup();
    const first = await manager.getToken();
    manager.on("warning", (event) => {
      if (event.code === "WARN_TOKEN_NOT_RENEWED") manager.signOut();
    });
    script.next({ kind: "raw", value: first });
    expect(await manager.getToken({ forceRefresh: true })).toBeNull();
    expect(discarded).toEqual([{ outcome: "token" }]);
    expect(tokens).toHaveLength(1);
  });
});
