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

/**
 * The platform clock: `Date.now`, global `setTimeout`/`clearTimeout`, `Math.random`, looked up on each call.
 *
 * @example
 * // Timers from a worker (not throttled in a background tab), the rest from the platform:
 * const clock = { ...systemClock, setTimeout: workerSetTimeout, clearTimeout: workerClearTimeout };
 * createTokenManager({ fetchToken, clock });
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonicNow: () => (typeof performance !== "undefined" ? performance.now() : Date.now()),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  random: () => Math.random(),
};

/**
 * The clock a manager uses: `overrides` over {@link systemClock}. A custom `now` is never paired with the
 * platform's monotonic clock (they would disagree): without its own `monotonicNow` it has none.
 */
export function clockWith(overrides: Partial<Clock> | undefined): Clock {
  const clock: Clock = { ...systemClock, ...overrides };
  if (overrides?.now && !overrides.monotonicNow) clock.monotonicNow = undefined;
  return clock;
}

/** The largest delay `setTimeout` honours; anything above fires at once (or loops) in every runtime. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * The manager's own time line: monotone, never behind the truth, re-anchored when the wall clock jumps.
 *
 * Each reading advances by the wall clock's step, unless the monotonic clock disagrees by more than 1 s:
 * - the wall clock went back (or stood still) while monotonic time moved on: advance by the monotonic step,
 *   so a token still expires on time after the user sets the clock back;
 * - the wall clock went forward more than monotonic time (a forward jump, or a sleep the monotonic clock did
 *   not count): advance by the wall step (the conservative choice: a held token ages) and add it to `jumped`.
 * Without `monotonicNow` a step back counts as no time at all (re-anchored), and forward steps count whole.
 */
export class Timeline {
  readonly #clock: Clock;
  #wall: number;
  #mono: number;
  #t: number;
  /**
   * The wall clock's forward steps beyond monotonic time not yet told apart, ms (a jump, or a sleep the
   * monotonic clock missed). Its owner adds the lateness of timers and clears it once a token tells which.
   */
  jumped = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
    this.#t = this.#wall = clock.now();
    this.#mono = clock.monotonicNow?.() ?? this.#wall;
  }

  /** Read both clocks; returns the time line's now (ms, epoch-like). */
  now(): number {
    const clock = this.#clock;
    const wall = clock.now();
    const mono = clock.monotonicNow?.() ?? wall;
    const dWall = wall - this.#wall;
    const dMono = mono - this.#mono;
    this.#wall = wall;
    this.#mono = mono;
    if (dWall - dMono > 1_000) this.jumped += dWall - dMono;
    this.#t += Math.max(0, Math.abs(dWall - dMono) > 1_000 ? Math.max(dWall, dMono) : dWall);
    return this.#t;
  }

  /** The wall clock at the last reading: a wall reading below it means the wall clock went back. */
  get floor(): number {
    return this.#wall;
  }

  /** A time-line instant as wall-clock epoch ms (at the last reading's offset). */
  toWall(t: number): number {
    return t + this.#wall - this.#t;
  }
}

/**
 * A single timer that fires at a deadline on a time line and cannot overflow or drift through sleep.
 *
 * It arms the platform timer for at most `chunkMs` at a time and re-reads `now()` on every wake, so a
 * deadline that passed while the machine slept or the tab was throttled is noticed at the first wake after
 * it. `onFire` gets how late that wake was against plan (ms), which tells a normal firing from one after
 * sleep. While `keepAlive` is off the platform timer is `unref`'d (Node: it does not keep a process alive).
 */
export class DeadlineTimer {
  readonly #clock: Clock;
  readonly #now: () => number;
  readonly #chunkMs: number;
  #handle: TimerHandle | undefined;
  #deadline = 0;
  /** When the pending platform timer should wake, on the `now()` line (lateness is counted from here). */
  #expectedWake = 0;
  #keepAlive = false;

  constructor(clock: Clock, chunkMs: number, now: () => number = () => clock.now()) {
    this.#clock = clock;
    this.#chunkMs = chunkMs;
    this.#now = now;
  }

  /** The armed deadline, or undefined when idle. */
  get deadline(): number | undefined {
    return this.#handle === undefined ? undefined : this.#deadline;
  }

  /** Whether the platform timer may keep a Node process alive (on while callers wait for a token). */
  keepAlive(on: boolean): void {
    this.#keepAlive = on;
    this.#ref();
  }

  /** Arm (or re-arm) the timer for `deadline`; the previous one is cancelled. */
  set(deadline: number, onFire: (lateByMs: number) => void): void {
    this.clear();
    this.#deadline = deadline;
    const clock = this.#clock;
    const arm = () => {
      const now = this.#now();
      const delay = Math.min(Math.max(0, deadline - now), this.#chunkMs, MAX_TIMER_DELAY_MS);
      this.#expectedWake = now + delay;
      this.#handle = clock.setTimeout(() => {
        this.#handle = undefined;
        const woke = this.#now();
        if (woke >= deadline) onFire(woke - this.#expectedWake);
        else arm();
      }, delay);
      this.#ref();
    };
    arm();
  }

  /**
   * How late the pending platform timer already is at `now` (ms), when more than `moreThanMs`, else 0. A late
   * timer is a forward jump of the wall clock or a sleep; this sees it before the timer fires (a call made
   * right after the jump). What it returns is counted once: the firing reports only the lateness after it.
   */
  overdue(now: number, moreThanMs: number): number {
    const late = now - this.#expectedWake;
    if (this.#handle === undefined || !(late > moreThanMs)) return 0;
    this.#expectedWake = now;
    return late;
  }

  clear(): void {
    if (this.#handle !== undefined) {
      this.#clock.clearTimeout(this.#handle);
      this.#handle = undefined;
    }
  }

  #ref(): void {
    const handle = this.#handle as { ref?: () => void; unref?: () => void } | undefined;
    try {
      handle?.[this.#keepAlive ? "ref" : "unref"]?.();
    } catch {
      // A custom clock's handle: nothing to do.
    }
  }
}
