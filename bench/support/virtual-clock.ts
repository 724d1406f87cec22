/**
 * A virtual clock for simulations: implements the manager's `Clock` with a min-heap of timers.
 * Time moves only in `advance(ms)`, which fires due timers in order and lets promise chains settle
 * (a macrotask turn) after each one, so async fetchers and waiters complete between timers.
 */
import type { Clock } from "../../src/clock";

interface Timer {
  at: number;
  seq: number;
  index: number;
  callback: () => void;
}

/** Resolves after every queued microtask (and the promise chains they start) has run. */
export const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #heap: Timer[] = [];
  #random: () => number;
  /** Timers armed so far (for reports). */
  armed = 0;

  constructor(startMs = Date.UTC(2026, 0, 1), random: () => number = Math.random) {
    this.#now = startMs;
    this.#random = random;
  }

  /** Pending (armed, not yet fired or cleared) timers. */
  get pending(): number {
    return this.#heap.length;
  }

  now = (): number => this.#now;
  random = (): number => this.#random();

  setTimeout = (callback: () => void, delayMs: number): Timer => {
    const timer: Timer = { at: this.#now + Math.max(0, delayMs), seq: this.#seq++, index: this.#heap.length, callback };
    this.#heap.push(timer);
    this.#up(timer.index);
    this.armed++;
    return timer;
  };

  clearTimeout = (handle: unknown): void => {
    const timer = handle as Timer | undefined;
    if (timer === undefined || this.#heap[timer.index] !== timer) return; // fired or cleared already
    this.#removeAt(timer.index);
  };

  /** A promise that resolves after `ms` of virtual time (for simulated network latency). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }

  /** Move time forward by `ms`, firing every timer that falls due, in order, settling promises after each. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await settle();
    for (let next = this.#heap[0]; next !== undefined && next.at <= target; next = this.#heap[0]) {
      this.#removeAt(0);
      this.#now = Math.max(this.#now, next.at);
      next.callback();
      await settle();
    }
    this.#now = target;
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
