/**
 * `FakeClock`: a {@link Clock} whose time moves only when told, for tests, benchmarks and simulations. It
 * needs no test framework (vitest, jest or plain Node all work).
 *
 * - `advance(ms)` moves both clocks and fires every timer that falls due, in order, letting promise chains
 *   settle after each one.
 * - `jump(ms)` moves the wall clock only (an NTP correction or a user changing the time); timers stay on
 *   the monotonic clock.
 * - `sleep(ms)` models a machine that sleeps: both clocks move, but no timer fires until the wake; then
 *   every overdue timer fires, late.
 *
 * @module
 */
import type { Clock, TimerHandle } from "../core/clock";

interface Timer {
  /** Monotonic due time. */
  at: number;
  /** The delay it was armed with (for `refresh()`). */
  delay: number;
  seq: number;
  index: number;
  callback: () => void;
  /** Like Node's timers: whether it keeps the process alive (`ref()`/`unref()`, on by default). */
  refed: boolean;
  ref(): Timer;
  unref(): Timer;
  hasRef(): boolean;
  /** Like Node's `Timeout.refresh()`: due again `delay` from now, armed again if it had fired. */
  refresh(): Timer;
}

/** Monotonic time never goes back: a negative or non-numeric move is a test's mistake, named at once. */
function checkDuration(method: "advance" | "sleep", ms: number): void {
  if (!(ms >= 0) || ms === Number.POSITIVE_INFINITY) {
    throw new TypeError(
      `FakeClock.${method}: \`ms\` must be a finite number ≥ 0 (how far both clocks move), got ${String(ms)}. ` +
        "To set the wall clock back, use jump(-ms).",
    );
  }
}

/** Resolves after every queued microtask (and the promise chains they start) has run: one macrotask turn. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Options of {@link createFakeClock}. */
export interface FakeClockOptions {
  /** Wall-clock start, epoch ms. @default Date.UTC(2026, 0, 1) */
  now?: number;
  /** Source of `random()`. @default Math.random */
  random?: () => number;
}

/**
 * A clock for tests: wall time (`now()`), monotonic time (`monotonicNow()`), a min-heap of timers, and
 * `advance` / `jump` / `sleep` to move them.
 *
 * @example
 * const clock = createFakeClock();
 * const tokens = createTokenManager({ fetchToken, clock });
 * await clock.advance(15 * 60_000); // fires the refresh on time
 */
export class FakeClock implements Clock {
  #wallOffset: number;
  #mono = 0;
  #seq = 0;
  readonly #heap: Timer[] = [];
  readonly #random: () => number;
  /** Timers armed so far (for reports). */
  armed = 0;
  /** Fail an `advance` (or `sleep`, `flush`) that fires more timers than this: a timer loop. */
  maxTimersPerAdvance = 1_000_000;

  constructor({ now = Date.UTC(2026, 0, 1), random = Math.random }: FakeClockOptions = {}) {
    this.#wallOffset = now;
    this.#random = random;
  }

  /** Pending (armed, not yet fired or cleared) timers. */
  get pending(): number {
    return this.#heap.length;
  }

  /** Pending timers that would keep a Node process alive (not `unref()`'d), as Node's handles do. */
  get refed(): number {
    return this.#heap.filter((timer) => timer.refed).length;
  }

  /** Monotonic time (ms) at which the next pending timer falls due; `undefined` when none is pending. */
  get nextDue(): number | undefined {
    return this.#heap[0]?.at;
  }

  /** Wall-clock ms since the epoch. */
  now = (): number => this.#wallOffset + this.#mono;
  /** Monotonic ms since the clock was made; unaffected by {@link FakeClock.jump}. */
  monotonicNow = (): number => this.#mono;
  random = (): number => this.#random();

  setTimeout = (callback: () => void, delayMs: number): TimerHandle => {
    const delay = Number.isFinite(delayMs) ? Math.max(0, delayMs) : 0;
    const timer: Timer = {
      at: this.#mono + delay,
      delay,
      seq: this.#seq++,
      index: this.#heap.length,
      callback,
      refed: true,
      ref: () => {
        timer.refed = true;
        return timer;
      },
      unref: () => {
        timer.refed = false;
        return timer;
      },
      hasRef: () => timer.refed,
      refresh: () => {
        if (this.#heap[timer.index] === timer) this.#removeAt(timer.index);
        timer.at = this.#mono + delay;
        timer.seq = this.#seq++;
        this.#insert(timer);
        return timer;
      },
    };
    this.#insert(timer);
    this.armed++;
    return timer;
  };

  clearTimeout = (handle: TimerHandle): void => {
    const timer = handle as Timer | undefined;
    if (timer === undefined || this.#heap[timer.index] !== timer) return; // fired or cleared already
    this.#removeAt(timer.index);
  };

  /** A promise that resolves after `ms` of fake time (for simulated network latency). */
  delay(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  /** Move time forward by `ms`, firing every timer that falls due, in order, settling promises after each. */
  async advance(ms: number): Promise<void> {
    checkDuration("advance", ms);
    const target = this.#mono + ms;
    await settle();
    let fired = 0;
    for (let next = this.#heap[0]; next !== undefined && next.at <= target; next = this.#heap[0]) {
      // A timer that keeps re-arming itself at the same instant would spin here forever: fail instead.
      if (++fired > this.maxTimersPerAdvance) {
        throw new Error(
          `FakeClock: more than ${this.maxTimersPerAdvance} timers fired in one advance(): the code under test has a ` +
            "timer loop (a timer that keeps re-arming itself at the same instant). Fix the loop, or raise " +
            "`clock.maxTimersPerAdvance` if that many timers are expected.",
        );
      }
      this.#removeAt(0);
      this.#mono = Math.max(this.#mono, next.at);
      next.callback();
      await settle();
    }
    this.#mono = target;
    await settle();
  }

  /** Move the wall clock by `ms` (negative: back) without moving monotonic time or firing any timer. */
  jump(ms: number): void {
    this.#wallOffset += ms;
  }

  /**
   * The machine sleeps for `ms`: both clocks move but no timer fires meanwhile; on wake, every overdue
   * timer fires (late), in order.
   */
  async sleep(ms: number): Promise<void> {
    checkDuration("sleep", ms);
    this.#mono += ms;
    await this.advance(0);
  }

  /** Fire timers that are due now, without moving time. */
  flush(): Promise<void> {
    return this.advance(0);
  }

  #insert(timer: Timer): void {
    timer.index = this.#heap.length;
    this.#heap.push(timer);
    this.#up(timer.index);
  }

  #less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #swap(i: number, j: number): void {
    const heap = this.#heap;
    const a = heap[i]!;
    const b = heap[j]!;
    heap[i] = b;
    heap[j] = a;
    a.index = j;
    b.index = i;
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(this.#heap[i]!, this.#heap[parent]!)) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    const heap = this.#heap;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && this.#less(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && this.#less(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) return;
      this.#swap(i, smallest);
      i = smallest;
    }
  }

  #removeAt(i: number): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (i === heap.length) return; // removed the last element
    heap[i] = last;
    last.index = i;
    this.#down(i);
    this.#up(last.index);
  }
}

/** Create a {@link FakeClock}. */
export function createFakeClock(options?: FakeClockOptions): FakeClock {
  return new FakeClock(options);
}
