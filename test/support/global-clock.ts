/**
 * A {@link FakeClock} installed as the process's timers and `Date`, for code that calls them directly (the real
 * Convex client, ws, fetch): `setTimeout`, `clearTimeout`, `setInterval`, `clearInterval` and `Date` read and
 * arm the fake clock; `setImmediate`, `process.nextTick`, `queueMicrotask` and `performance.now()` stay real,
 * so loopback I/O keeps flowing. It follows the rules vitest's fake timers (@sinonjs/fake-timers) gave these
 * globals before: delays are whole milliseconds, a delay over 2^31−1 ms becomes 1 ms, and a 0 ms timer armed
 * while the clock is firing timers falls due 1 ms later (so a timer chain cannot spin at one instant).
 */
import type { FakeClock } from "../../src/testing/fake-clock";

/** Node's (and the WebIDL) longest timer delay; longer ones fire after 1 ms. */
const TIMEOUT_MAX = 2 ** 31 - 1;

type Callback = (...args: unknown[]) => void;
/** What FakeClock's `setTimeout` returns: Node's `Timeout` methods. */
interface Handle {
  ref(): Handle;
  unref(): Handle;
  hasRef(): boolean;
  refresh(): Handle;
}

/** The globals replaced, as they were before. */
interface Saved {
  setTimeout: typeof globalThis.setTimeout;
  clearTimeout: typeof globalThis.clearTimeout;
  setInterval: typeof globalThis.setInterval;
  clearInterval: typeof globalThis.clearInterval;
  Date: DateConstructor;
}

/** A global clock: `firing` tells it when the clock is moving (then 0 ms timers wait 1 ms); `uninstall` restores. */
export interface GlobalClock {
  firing: boolean;
  uninstall(): void;
}

/** Install `clock` as the global timers and `Date` until `uninstall()`. */
export function installGlobalClock(clock: FakeClock): GlobalClock {
  const saved: Saved = {
    setTimeout: globalThis.setTimeout,
    clearTimeout: globalThis.clearTimeout,
    setInterval: globalThis.setInterval,
    clearInterval: globalThis.clearInterval,
    Date: globalThis.Date,
  };
  const state: GlobalClock = { firing: false, uninstall };
  const delayOf = (delay: unknown): number => {
    let ms = Math.trunc(Number(delay));
    if (!Number.isFinite(ms) || ms < 0) ms = 0;
    if (ms > TIMEOUT_MAX) ms = 1;
    return ms === 0 && state.firing ? 1 : ms;
  };
  const arm = (callback: Callback, delay: unknown, args: unknown[]): Handle =>
    clock.setTimeout(() => callback(...args), delayOf(delay)) as unknown as Handle;
  const clear = (handle: unknown) => {
    if (handle && typeof handle === "object") clock.clearTimeout((handle as { current?: unknown }).current ?? handle);
  };

  const fakeSetTimeout = (callback: Callback, delay?: unknown, ...args: unknown[]) => arm(callback, delay, args);
  const fakeSetInterval = (callback: Callback, delay?: unknown, ...args: unknown[]) => {
    // One handle for the whole interval: each firing re-arms the next before running the callback.
    const interval = {
      current: undefined as Handle | undefined,
      ref: () => (interval.current?.ref(), interval),
      unref: () => (interval.current?.unref(), interval),
      hasRef: () => interval.current?.hasRef() ?? false,
    };
    const every = Math.max(1, delayOf(delay));
    const next = () => {
      const refed = interval.current?.hasRef() ?? true;
      interval.current = clock.setTimeout(() => {
        next();
        callback(...args);
      }, every) as unknown as Handle;
      if (!refed) interval.current.unref();
    };
    next();
    return interval;
  };

  const RealDate = saved.Date;
  const now = () => Math.floor(clock.now());
  const FakeDate: DateConstructor = new Proxy(RealDate, {
    construct: (target, args, newTarget): object =>
      Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget === FakeDate ? target : newTarget),
    apply: () => new RealDate(now()).toString(),
    get: (target, key, receiver) => (key === "now" ? now : Reflect.get(target, key, receiver)),
  });

  Object.assign(globalThis, {
    setTimeout: fakeSetTimeout,
    clearTimeout: clear,
    setInterval: fakeSetInterval,
    clearInterval: clear,
    Date: FakeDate,
  });

  function uninstall() {
    Object.assign(globalThis, saved);
  }
  return state;
}
