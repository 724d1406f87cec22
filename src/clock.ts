/**
 * Time, injected per manager. The default clock looks the globals up at call time, so fake timers
 * installed after import (vitest, sinon) still work.
 *
 * @module
 */

/** Opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/** Everything the manager needs from time and chance. Replace it in tests, or to use worker timers. */
export interface Clock {
  /** Wall-clock milliseconds since the epoch, like `Date.now()`. */
  now(): number;
  /**
   * Monotonic milliseconds from an arbitrary origin, like `performance.now()`: never jumps when the wall
   * clock is changed. Optional; used to detect wall-clock jumps.
   */
  monotonicNow?(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** A number in [0, 1), like `Math.random()`; used for jitter. */
  random(): number;
}

/** The platform clock: `Date.now`, global `setTimeout`/`clearTimeout`, `Math.random`, looked up on each call. */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonicNow: () => (typeof performance !== "undefined" ? performance.now() : Date.now()),
  setTimeout: (callback, delayMs) => {
    const handle = setTimeout(callback, delayMs);
    // In Node, a refresh timer must not keep a script alive on its own.
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  random: () => Math.random(),
};

/** The largest delay `setTimeout` honours; anything above fires at once (or loops) in every runtime. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * A single timer that fires at a wall-clock deadline and cannot overflow or drift through sleep.
 *
 * It arms the platform timer for at most `chunkMs` at a time and re-checks `clock.now()` on every wake,
 * so a deadline that passed while the machine slept or the tab was throttled is noticed at the first
 * wake after it. `onFire` gets how late that wake was against plan (ms), which tells a normal firing
 * from one after sleep.
 */
export class DeadlineTimer {
  readonly #clock: Clock;
  readonly #chunkMs: number;
  #handle: TimerHandle | undefined;
  #deadline = 0;

  constructor(clock: Clock, chunkMs: number) {
    this.#clock = clock;
    this.#chunkMs = chunkMs;
  }

  /** The armed deadline (epoch ms), or undefined when idle. */
  get deadline(): number | undefined {
    return this.#handle === undefined ? undefined : this.#deadline;
  }

  /** Arm (or re-arm) the timer for `deadline` (epoch ms); the previous one is cancelled. */
  set(deadline: number, onFire: (lateByMs: number) => void): void {
    this.clear();
    this.#deadline = deadline;
    const clock = this.#clock;
    const arm = () => {
      const now = clock.now();
      const delay = Math.min(Math.max(0, deadline - now), this.#chunkMs, MAX_TIMER_DELAY_MS);
      const expectedWake = now + delay;
      this.#handle = clock.setTimeout(() => {
        this.#handle = undefined;
        const woke = clock.now();
        if (woke >= deadline) onFire(woke - expectedWake);
        else arm();
      }, delay);
    };
    arm();
  }

  clear(): void {
    if (this.#handle !== undefined) {
      this.#clock.clearTimeout(this.#handle);
      this.#handle = undefined;
    }
  }
}
