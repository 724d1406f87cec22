/**
 * Fake time with real sockets.
 *
 * Integration tests run the real Convex client over real loopback sockets while
 * `setTimeout`/`setInterval`/`Date` are faked. Fake time only moves when a test
 * says so, but socket I/O needs real event-loop turns to flow. This module
 * alternates the two: it moves the fake clock from one due timer to the next
 * (never more than `stepMs` at once) and, whenever something happened, pumps
 * real I/O (real `setImmediate` turns, which vitest does not fake here) until
 * the support servers report that everything has settled (see `ioActivity` in
 * issuer.ts).
 *
 * Limits: real work that never touches the support servers or the issuer (for
 * example a fetcher that spins on CPU for 100 ms) is not observed, and
 * `AbortSignal.timeout()` runs on Node's internal real timers, not fake ones.
 */
import { vi } from "vitest";
import { ioActivity } from "./issuer";

/** Handle returned by {@link useIntegrationClock}. */
export interface IntegrationClock {
  /**
   * Move fake time forward by `ms`, stopping at every due timer and at least every
   * `stepMs` (default 1000) to pump real I/O. Steps in which nothing can happen are
   * skipped without any real waiting, so an idle simulated hour costs little.
   */
  advance(ms: number, opts?: { stepMs?: number }): Promise<void>;
  /**
   * Advance fake time (timer by timer, at most `stepMs` at once) until `cond()`
   * holds, checking after every pump. Rejects after `timeoutMs` of simulated time
   * (default 60 000).
   */
  until(cond: () => boolean, opts?: { timeoutMs?: number; stepMs?: number }): Promise<void>;
  /** Let real I/O settle and run timers that are already due, without moving the clock. */
  pump(): Promise<void>;
  /** Restore real timers. Safe to call twice. */
  restore(): void;
}

/** Shape of the @sinonjs/fake-timers clock behind vitest's fake timers (the parts we read). */
interface SinonClock {
  now: number;
  timers?: Record<string, { callAt: number }>;
}

// Captured at import time: vitest never fakes setImmediate here, and `realSetTimeout`
// must stay real even while the global one is faked.
const realSetImmediate = globalThis.setImmediate;
const realSetTimeout = globalThis.setTimeout;

const immediate = () => new Promise<void>((resolve) => realSetImmediate(resolve));
const realTick = () => new Promise<void>((resolve) => realSetTimeout(resolve, 0));

/** Consecutive quiet event-loop turns before real I/O counts as settled. */
const QUIET_TURNS = 6;
/** Give up waiting for I/O that never settles (e.g. a socket to a black hole) after this much real time. */
const MAX_SETTLE_WALL_MS = 250;
/** Guard against timers that keep rescheduling themselves at the current instant. */
const MAX_DUE_NOW_ROUNDS = 1000;

/**
 * Fake `setTimeout`, `clearTimeout`, `setInterval`, `clearInterval` and `Date`
 * (keeping `setImmediate`, `process.nextTick` and `queueMicrotask` real so I/O
 * flows) and return helpers that move time while pumping real I/O.
 *
 * @param startMs - initial fake `Date.now()`. Default: the real current time.
 * @example
 * const clock = useIntegrationClock();
 * try {
 *   client.setAuth(fetcher);
 *   await clock.until(() => authenticated);
 *   await clock.advance(60 * 60_000); // an hour, in well under a second of wall time
 * } finally {
 *   await client.close();
 *   clock.restore();
 * }
 */
export function useIntegrationClock(startMs?: number): IntegrationClock {
  vi.useFakeTimers({
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
    ...(startMs !== undefined ? { now: startMs } : {}),
  });
  // @sinonjs/fake-timers hangs the clock on every faked global (`Date.clock`).
  // Reading its timer table lets us jump straight to the next due timer.
  const clock = (globalThis.Date as unknown as { clock?: SinonClock }).clock;
  if (!clock) {
    vi.useRealTimers();
    throw new Error("useIntegrationClock: could not find the fake clock (vitest fake-timers internals changed?)");
  }
  const io = ioActivity();
  let restored = false;
  // `io.events` value at the last moment everything was known to be settled.
  let settledAt = -1;

  const check = () => {
    if (restored) throw new Error("useIntegrationClock: used after restore()");
  };
  const nextDue = (): number | undefined => {
    let min: number | undefined;
    for (const t of Object.values(clock.timers ?? {})) if (min === undefined || t.callAt < min) min = t.callAt;
    return min;
  };

  /** Real turns until nothing is pending and the event counter stopped moving. */
  const settleIo = async () => {
    const started = performance.now();
    let quiet = 0;
    let last = io.events;
    while (quiet < QUIET_TURNS) {
      // One real timer turn at the end lets libuv's timer/poll phases run too.
      await (quiet === QUIET_TURNS - 1 ? realTick() : immediate());
      if (io.events !== last || io.pending > 0) {
        last = io.events;
        quiet = 0;
        if (performance.now() - started > MAX_SETTLE_WALL_MS) break;
      } else {
        quiet++;
      }
    }
    settledAt = io.events;
  };

  const pump = async () => {
    check();
    for (let round = 0; ; round++) {
      await settleIo();
      const due = nextDue();
      if (due === undefined || due > clock.now) return;
      if (round >= MAX_DUE_NOW_ROUNDS) throw new Error("useIntegrationClock: timers keep firing at the same instant");
      // Timers scheduled from I/O callbacks with delay 0 are due "now".
      await vi.advanceTimersByTimeAsync(0);
    }
  };

  /** Move to `min(next due timer, now + stepMs, end)`, pumping only if something happened. */
  const step = async (end: number, stepMs: number) => {
    const due = nextDue();
    const target = Math.min(end, clock.now + stepMs, due ?? Infinity);
    const fires = due !== undefined && due <= target;
    if (fires) await vi.advanceTimersByTimeAsync(Math.max(0, target - clock.now));
    else vi.advanceTimersByTime(target - clock.now); // nothing to run: no real turn needed
    if (fires || io.pending > 0 || io.events !== settledAt) await pump();
  };

  return {
    async advance(ms, { stepMs = 1000 } = {}) {
      check();
      if (!(ms >= 0)) throw new RangeError(`advance: ms must be >= 0, got ${ms}`);
      if (!(stepMs > 0)) throw new RangeError(`advance: stepMs must be > 0, got ${stepMs}`);
      const end = clock.now + ms;
      await pump();
      while (clock.now < end) await step(end, stepMs);
    },

    async until(cond, { timeoutMs = 60_000, stepMs = 1000 } = {}) {
      check();
      const deadline = clock.now + timeoutMs;
      await pump();
      while (!cond()) {
        if (clock.now >= deadline) {
          throw new Error(`until: condition still false after ${timeoutMs} ms of simulated time`);
        }
        await step(deadline, stepMs);
      }
    },

    pump,

    restore() {
      if (restored) return;
      restored = true;
      vi.useRealTimers();
    },
  };
}
