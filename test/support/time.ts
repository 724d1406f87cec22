/**
 * Fake time with real sockets: the integration tests' clock.
 *
 * Integration tests run the real Convex client over real loopback sockets on fake time. The time engine is
 * the kit's {@link FakeClock} (the one the unit tests inject), installed as the global timers and `Date`
 * (`global-clock.ts`) because the Convex client calls them directly. Fake time only moves when a test says
 * so, but socket I/O needs real event-loop turns to flow, so this module alternates the two: it moves the
 * clock from one due timer to the next (never more than `stepMs` at once) and, whenever something happened,
 * pumps real I/O (real `setImmediate` turns) until the kit's servers report that everything has settled
 * (`ioActivity` in `src/testing/io-activity.ts`).
 *
 * Limits: real work that never touches the kit's servers or the issuer (for example a fetcher that spins on
 * CPU for 100 ms) is not observed, and `AbortSignal.timeout()` runs on Node's internal real timers, not fake
 * ones.
 */
import { createFakeClock, type FakeClock } from "../../src/testing/fake-clock";
import { ioActivity } from "../../src/testing/io-activity";
import { installGlobalClock } from "./global-clock";

/** Handle returned by {@link useIntegrationClock}. */
export interface IntegrationClock {
  /** The fake clock underneath (the global timers and `Date` read it). */
  readonly clock: FakeClock;
  /**
   * Move fake time forward by `ms`, stopping at every due timer and at least every
   * `stepMs` (default 1000) to pump real I/O. Steps in which nothing can happen
   * cost no I/O pumping, so an idle simulated hour costs little.
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
  /** Put the real timers and `Date` back. Safe to call twice. */
  restore(): void;
}

// Captured at import time: the real timers, whatever is installed later.
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
 * Install a {@link FakeClock} as the global `setTimeout`, `clearTimeout`, `setInterval`, `clearInterval` and
 * `Date` (keeping `setImmediate`, `process.nextTick`, `queueMicrotask` and `performance.now()` real so I/O
 * flows), and return helpers that move time while pumping real I/O.
 *
 * @param startMs - initial fake `Date.now()`. Default: the real current time.
 * @param options.maxSettleWallMs - how long (real ms) to wait for pending I/O before moving fake time on anyway.
 *   Default 250; a test of a real server doing real CPU work (password hashing, RSA signing) passes more, so
 *   that a loaded machine does not turn a slow answer into fake seconds gone by.
 * @example
 * const time = useIntegrationClock();
 * try {
 *   client.setAuth(fetcher);
 *   await time.until(() => authenticated);
 *   await time.advance(60 * 60_000); // an hour, in well under a second of wall time
 * } finally {
 *   await client.close();
 *   time.restore();
 * }
 */
export function useIntegrationClock(
  startMs?: number,
  { maxSettleWallMs = MAX_SETTLE_WALL_MS }: { maxSettleWallMs?: number } = {},
): IntegrationClock {
  const clock = createFakeClock({ now: startMs ?? Date.now() });
  const globals = installGlobalClock(clock);
  const io = ioActivity();
  let restored = false;
  // `io.events` value at the last moment everything was known to be settled.
  let settledAt = -1;

  const check = (method: string) => {
    if (restored) {
      throw new Error(
        `useIntegrationClock: ${method}() was called after restore(). Call useIntegrationClock() again for a new ` +
          "fake clock, or move restore() to the end of the test.",
      );
    }
  };
  /** Move the clock by `ms`, firing the timers that fall due (0 ms timers armed meanwhile wait 1 ms). */
  const move = async (ms: number) => {
    globals.firing = true;
    try {
      await clock.advance(ms);
    } finally {
      globals.firing = false;
    }
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
        if (performance.now() - started > maxSettleWallMs) break;
      } else {
        quiet++;
      }
    }
    settledAt = io.events;
  };

  const pump = async () => {
    check("pump");
    for (let round = 0; ; round++) {
      await settleIo();
      const due = clock.nextDue;
      if (due === undefined || due > clock.monotonicNow()) return;
      if (round >= MAX_DUE_NOW_ROUNDS) {
        throw new Error(
          `useIntegrationClock: timers kept falling due at the same instant for ${MAX_DUE_NOW_ROUNDS} rounds: the ` +
            "code under test has a timer loop. Fix the loop (a timer that re-arms itself with no delay).",
        );
      }
      // Timers armed from I/O callbacks with delay 0 are due "now".
      await move(0);
    }
  };

  /** Move to `min(next due timer, now + stepMs, end)`, pumping only if something happened. */
  const step = async (end: number, stepMs: number) => {
    const now = clock.monotonicNow();
    const due = clock.nextDue;
    const target = Math.min(end, now + stepMs, due ?? Number.POSITIVE_INFINITY);
    const fires = due !== undefined && due <= target;
    await move(Math.max(0, target - now));
    if (fires || io.pending > 0 || io.events !== settledAt) await pump();
  };

  return {
    clock,

    async advance(ms, { stepMs = 1000 } = {}) {
      check("advance");
      if (!(ms >= 0)) throw new RangeError(`advance: \`ms\` must be a number ≥ 0 (fake ms to move), got ${ms}.`);
      if (!(stepMs > 0)) throw new RangeError(`advance: \`stepMs\` must be a number > 0, got ${stepMs}.`);
      const end = clock.monotonicNow() + ms;
      await pump();
      while (clock.monotonicNow() < end) await step(end, stepMs);
    },

    async until(cond, { timeoutMs = 60_000, stepMs = 1000 } = {}) {
      check("until");
      const deadline = clock.monotonicNow() + timeoutMs;
      await pump();
      while (!cond()) {
        if (clock.monotonicNow() >= deadline) {
          throw new Error(
            `until: the condition was still false after ${timeoutMs} ms of simulated time. Check what the test ` +
              "waits for, or pass a larger `timeoutMs` if it takes that long.",
          );
        }
        await step(deadline, stepMs);
      }
    },

    pump,

    restore() {
      if (restored) return;
      restored = true;
      globals.uninstall();
    },
  };
}
