import { afterEach, describe, expect, it, vi } from "vitest";
import { DeadlineTimer, MAX_TIMER_DELAY_MS, systemClock, type Clock, type TimerHandle } from "../../src/core/clock";

const SECOND = 1000;
const HOUR = 60 * 60 * SECOND;
const DAY = 24 * HOUR;

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** The system clock with spies on setTimeout/clearTimeout (they still reach the global, possibly fake, timers). */
function spiedSystemClock() {
  const setTimeoutSpy = vi.fn((callback: () => void, delayMs: number) => systemClock.setTimeout(callback, delayMs));
  const clearTimeoutSpy = vi.fn((handle: TimerHandle) => systemClock.clearTimeout(handle));
  const clock: Clock = {
    now: systemClock.now,
    random: systemClock.random,
    setTimeout: setTimeoutSpy,
    clearTimeout: clearTimeoutSpy,
  };
  return { clock, setTimeoutSpy, clearTimeoutSpy };
}

/**
 * A hand-driven clock: time moves only with `jump` (like a machine asleep: no timer fires meanwhile),
 * and pending timers fire only with `fire`. This is how sleep and throttled tabs look to a timer.
 */
function manualClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { callback: () => void; delayMs: number }>();
  const clock: Clock = {
    now: () => now,
    setTimeout: vi.fn((callback: () => void, delayMs: number) => {
      const id = nextId++;
      timers.set(id, { callback, delayMs });
      return id;
    }),
    clearTimeout: vi.fn((handle: TimerHandle) => {
      timers.delete(handle as number);
    }),
    random: () => 0.5,
  };
  return {
    clock,
    get now() {
      return now;
    },
    pending: () => [...timers.values()],
    /** Time passes without any timer firing. */
    jump(ms: number) {
      now += ms;
    },
    /** Fire the (single) pending timer at the current time. */
    fire() {
      const entry = [...timers.entries()][0];
      if (entry === undefined) throw new Error("no pending timer");
      timers.delete(entry[0]);
      entry[1].callback();
    },
    /** Let the pending timer run on schedule: time advances by its delay, then it fires. */
    runOnSchedule() {
      const entry = [...timers.values()][0];
      if (entry === undefined) throw new Error("no pending timer");
      now += entry.delayMs;
      this.fire();
    },
  };
}

describe("DeadlineTimer with fake timers", () => {
  it("fires at the deadline, not before, with no lateness", async () => {
    vi.useFakeTimers();
    const timer = new DeadlineTimer(systemClock, 5 * SECOND);
    const onFire = vi.fn();
    timer.set(Date.now() + 12 * SECOND, onFire);
    await vi.advanceTimersByTimeAsync(12 * SECOND - 1);
    expect(onFire).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(onFire).toHaveBeenCalledTimes(1);
    expect(onFire).toHaveBeenCalledWith(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(timer.deadline).toBeUndefined();
  });

  it("exposes the armed deadline while pending", () => {
    vi.useFakeTimers();
    const timer = new DeadlineTimer(systemClock, 5 * SECOND);
    expect(timer.deadline).toBeUndefined();
    const deadline = Date.now() + 60 * SECOND;
    timer.set(deadline, () => {});
    expect(timer.deadline).toBe(deadline);
    timer.clear();
  });

  it("fires on the next tick for a deadline already past", async () => {
    vi.useFakeTimers();
    const timer = new DeadlineTimer(systemClock, 5 * SECOND);
    const onFire = vi.fn();
    timer.set(Date.now() - 10 * SECOND, onFire);
    expect(onFire).not.toHaveBeenCalled(); // never synchronously inside set()
    await vi.advanceTimersByTimeAsync(0);
    expect(onFire).toHaveBeenCalledWith(0);
  });

  // keycloak/keycloak-js#107: "onTokenExpired is called immediately if the token expiry is longer than 24.8 days"
  // (setTimeout overflows beyond 2^31−1 ms and fires at once). Invariant 8.
  it("never passes a delay above 2^31−1 to setTimeout, even for a deadline 100 days away", async () => {
    vi.useFakeTimers();
    const { clock, setTimeoutSpy } = spiedSystemClock();
    const timer = new DeadlineTimer(clock, Number.POSITIVE_INFINITY); // no chunking asked: only the cap applies
    const onFire = vi.fn();
    const deadline = Date.now() + 100 * DAY;
    timer.set(deadline, onFire);
    expect(setTimeoutSpy.mock.calls[0]![1]).toBe(MAX_TIMER_DELAY_MS);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_DELAY_MS);
    expect(onFire).not.toHaveBeenCalled(); // the first wake (24.8 days) did not fire early
    await vi.advanceTimersByTimeAsync(deadline - Date.now() - 1);
    expect(onFire).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(onFire).toHaveBeenCalledTimes(1);
    expect(Date.now()).toBe(deadline);
    for (const [, delay] of setTimeoutSpy.mock.calls) {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(MAX_TIMER_DELAY_MS);
    }
    expect(setTimeoutSpy).toHaveBeenCalledTimes(Math.ceil((100 * DAY) / MAX_TIMER_DELAY_MS));
  });

  it("re-arms in chunks for a far deadline, with at most one pending timer at a time", async () => {
    vi.useFakeTimers();
    const { clock, setTimeoutSpy } = spiedSystemClock();
    const timer = new DeadlineTimer(clock, HOUR);
    const onFire = vi.fn();
    const deadline = Date.now() + 3 * DAY + 30 * 60 * SECOND;
    timer.set(deadline, onFire);
    for (let hour = 1; hour <= 3 * 24; hour++) {
      await vi.advanceTimersByTimeAsync(HOUR);
      expect(vi.getTimerCount()).toBe(1);
      expect(onFire).not.toHaveBeenCalled();
    }
    await vi.advanceTimersByTimeAsync(30 * 60 * SECOND);
    expect(onFire).toHaveBeenCalledTimes(1);
    expect(onFire).toHaveBeenCalledWith(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(setTimeoutSpy).toHaveBeenCalledTimes(3 * 24 + 1);
    for (const [, delay] of setTimeoutSpy.mock.calls) expect(delay).toBeLessThanOrEqual(HOUR);
    // The last chunk is the remainder, not a whole chunk (no overshoot of the deadline).
    expect(setTimeoutSpy.mock.calls.at(-1)![1]).toBe(30 * 60 * SECOND);
  });

  it("set() again replaces the pending deadline (one timer, the old callback never runs)", async () => {
    vi.useFakeTimers();
    const { clock, clearTimeoutSpy } = spiedSystemClock();
    const timer = new DeadlineTimer(clock, 5 * SECOND);
    const first = vi.fn();
    const second = vi.fn();
    timer.set(Date.now() + 3 * SECOND, first);
    timer.set(Date.now() + 8 * SECOND, second);
    expect(clearTimeoutSpy).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(10 * SECOND);
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledTimes(1);
  });

  it("clear() leaves no timer and the callback never runs", async () => {
    vi.useFakeTimers();
    const timer = new DeadlineTimer(systemClock, 5 * SECOND);
    const onFire = vi.fn();
    timer.set(Date.now() + 60 * SECOND, onFire);
    await vi.advanceTimersByTimeAsync(12 * SECOND); // mid-way, after a couple of re-arms
    timer.clear();
    expect(vi.getTimerCount()).toBe(0);
    expect(timer.deadline).toBeUndefined();
    await vi.advanceTimersByTimeAsync(DAY);
    expect(onFire).not.toHaveBeenCalled();
    timer.clear(); // idempotent
    expect(vi.getTimerCount()).toBe(0);
  });

  it("can be re-armed from inside onFire (the manager schedules its next refresh there)", async () => {
    vi.useFakeTimers();
    const timer = new DeadlineTimer(systemClock, 5 * SECOND);
    const fired: number[] = [];
    const start = Date.now();
    const onFire = () => {
      fired.push(Date.now() - start);
      if (fired.length < 3) timer.set(Date.now() + 7 * SECOND, onFire);
    };
    timer.set(start + 7 * SECOND, onFire);
    await vi.advanceTimersByTimeAsync(60 * SECOND);
    expect(fired).toEqual([7 * SECOND, 14 * SECOND, 21 * SECOND]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

// Sleep and throttled tabs: DuendeArchive/identity-model-oidc-client-js#143 ("events delayed when waking from
// sleep"), auth0/auth0-spa-js#343, workos/template-convex-nextjs-authkit PR #17 ("race condition on laptop wake").
// One long setTimeout drifts through sleep; the chunked timer re-reads the wall clock on every wake.
describe("DeadlineTimer through sleep (manual clock)", () => {
  it("fires at the first wake after a deadline passed during sleep, and reports how late it is", () => {
    const m = manualClock();
    const timer = new DeadlineTimer(m.clock, 5 * SECOND);
    const onFire = vi.fn();
    const armedAt = m.now;
    timer.set(armedAt + 60 * SECOND, onFire);
    expect(m.pending()).toHaveLength(1);
    expect(m.pending()[0]!.delayMs).toBe(5 * SECOND);
    m.jump(2 * HOUR); // the laptop sleeps: wall time moves, no timer fires
    expect(onFire).not.toHaveBeenCalled();
    m.fire(); // the pending chunk fires on wake
    expect(onFire).toHaveBeenCalledTimes(1);
    // Planned to wake at armedAt + 5 s, woke at armedAt + 2 h.
    expect(onFire).toHaveBeenCalledWith(2 * HOUR - 5 * SECOND);
    expect(m.pending()).toHaveLength(0);
    expect(timer.deadline).toBeUndefined();
  });

  it("a sleep that ends before the deadline re-arms for the rest, and then fires on time", () => {
    const m = manualClock();
    const timer = new DeadlineTimer(m.clock, 5 * SECOND);
    const onFire = vi.fn();
    const deadline = m.now + 60 * SECOND;
    timer.set(deadline, onFire);
    m.jump(57 * SECOND);
    m.fire();
    expect(onFire).not.toHaveBeenCalled();
    expect(m.pending()).toHaveLength(1);
    expect(m.pending()[0]!.delayMs).toBe(3 * SECOND); // only what is left, not a whole chunk
    m.runOnSchedule();
    expect(onFire).toHaveBeenCalledWith(0);
    expect(m.now).toBe(deadline);
  });

  it("a wake-up only a little late reports that small lateness (a throttled tab)", () => {
    const m = manualClock();
    const timer = new DeadlineTimer(m.clock, 5 * SECOND);
    const onFire = vi.fn();
    timer.set(m.now + 5 * SECOND, onFire);
    m.jump(5 * SECOND + 800); // the timer ran 800 ms late
    m.fire();
    expect(onFire).toHaveBeenCalledWith(800);
  });

  it("does not fire early when the wall clock was set back while waiting", () => {
    const m = manualClock();
    const timer = new DeadlineTimer(m.clock, 5 * SECOND);
    const onFire = vi.fn();
    const deadline = m.now + 10 * SECOND;
    timer.set(deadline, onFire);
    m.jump(-HOUR); // NTP or the user moved the clock back an hour
    m.fire();
    expect(onFire).not.toHaveBeenCalled();
    expect(m.pending()).toHaveLength(1);
    expect(m.pending()[0]!.delayMs).toBe(5 * SECOND);
  });

  it("keeps at most one pending timer through any number of chunks", () => {
    const m = manualClock();
    const timer = new DeadlineTimer(m.clock, 5 * SECOND);
    const onFire = vi.fn();
    timer.set(m.now + 10 * 60 * SECOND, onFire);
    let wakes = 0;
    while (!onFire.mock.calls.length) {
      expect(m.pending()).toHaveLength(1);
      m.runOnSchedule();
      wakes++;
    }
    expect(wakes).toBe(120);
    expect(m.pending()).toHaveLength(0);
  });

  it("overdue: a reading long after the pending chunk was due sees the lateness first, counted once", () => {
    const m = manualClock();
    const timer = new DeadlineTimer(m.clock, 5 * SECOND);
    const onFire = vi.fn();
    timer.set(m.now + 60 * SECOND, onFire);
    expect(timer.overdue(m.now + 4 * SECOND, 5 * SECOND)).toBe(0); // not due yet
    m.jump(HOUR); // a forward jump: the chunk has not fired yet
    expect(timer.overdue(m.now, 5 * SECOND)).toBe(HOUR - 5 * SECOND);
    expect(timer.overdue(m.now, 5 * SECOND)).toBe(0); // counted once
    m.jump(SECOND);
    m.fire();
    expect(onFire).toHaveBeenCalledWith(SECOND); // the firing reports only what came after
  });

  it("overdue: a small lateness is left to the firing (it tells a wake from a scheduled refresh)", () => {
    const m = manualClock();
    const timer = new DeadlineTimer(m.clock, 5 * SECOND);
    const onFire = vi.fn();
    timer.set(m.now + 5 * SECOND, onFire);
    m.jump(8 * SECOND);
    expect(timer.overdue(m.now, 5 * SECOND)).toBe(0); // 3 s late: not more than 5 s
    m.jump(4 * SECOND);
    m.fire();
    expect(onFire).toHaveBeenCalledWith(7 * SECOND);
    expect(timer.overdue(m.now + HOUR, 5 * SECOND)).toBe(0); // nothing pending
  });

  it("clear() cancels the pending chunk through the clock", () => {
    const m = manualClock();
    const timer = new DeadlineTimer(m.clock, 5 * SECOND);
    timer.set(m.now + 60 * SECOND, () => {});
    timer.clear();
    expect(m.clock.clearTimeout).toHaveBeenCalledTimes(1);
    expect(m.pending()).toHaveLength(0);
  });
});

describe("systemClock", () => {
  // vitest/sinon install fake timers after the library is imported: the clock must look globals up per call.
  it("uses fake timers installed after import", async () => {
    vi.useFakeTimers();
    const callback = vi.fn();
    systemClock.setTimeout(callback, 1000);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(callback).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it("reads a faked Date.now", () => {
    vi.useFakeTimers();
    vi.setSystemTime(Date.UTC(2030, 5, 1));
    expect(systemClock.now()).toBe(Date.UTC(2030, 5, 1));
  });

  it("clearTimeout cancels a fake timer", async () => {
    vi.useFakeTimers();
    const callback = vi.fn();
    const handle = systemClock.setTimeout(callback, 1000);
    systemClock.clearTimeout(handle);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(callback).not.toHaveBeenCalled();
  });

  it("random() is Math.random, looked up per call", () => {
    vi.spyOn(Math, "random").mockReturnValue(0.25);
    expect(systemClock.random()).toBe(0.25);
  });

  it("leaves ref/unref to the DeadlineTimer: unref'd while nobody waits, ref'd while a caller waits", () => {
    const timer = new DeadlineTimer(systemClock, 5_000);
    try {
      const spy = vi.spyOn(globalThis, "setTimeout");
      timer.set(Date.now() + 60_000, () => {});
      const armed = spy.mock.results.at(-1)!.value as NodeJS.Timeout;
      spy.mockRestore();
      expect(armed.hasRef()).toBe(false);
      timer.keepAlive(true);
      expect(armed.hasRef()).toBe(true);
      timer.keepAlive(false);
      expect(armed.hasRef()).toBe(false);
    } finally {
      timer.clear();
    }
  });

  it("works with a browser-style setTimeout that returns a number (no unref)", () => {
    const fakeSet = vi.fn(() => 42);
    const fakeClear = vi.fn();
    vi.stubGlobal("setTimeout", fakeSet);
    vi.stubGlobal("clearTimeout", fakeClear);
    const handle = systemClock.setTimeout(() => {}, 100);
    expect(handle).toBe(42);
    expect(fakeSet).toHaveBeenCalledWith(expect.any(Function), 100);
    systemClock.clearTimeout(handle);
    expect(fakeClear).toHaveBeenCalledWith(42);
  });
});
