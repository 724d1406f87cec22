/**
 * `wakeSignal`: reports `"wake"` when a timer fires far later than asked (the machine slept, the tab was
 * frozen or throttled) or the wall clock jumped forward.
 *
 * @module
 */
import { systemClock, type Clock } from "../core/clock";
import { createSignalSource, type SignalSource } from "./signal-source";

/** Options of {@link wakeSignal}. Durations in milliseconds. */
export interface WakeSignalOptions {
  /** Time source; its `setTimeout` arms the probe timer. @default the platform clock */
  clock?: Clock;
  /** How often the probe timer fires. @default 10_000 */
  intervalMs?: number;
  /** How late (by the wall clock) a firing must be to count as a wake. @default 30_000 */
  lateMs?: number;
}

/**
 * A {@link SignalSource} that emits `"wake"` when its probe timer, armed every `intervalMs`, fires more than
 * `lateMs` later than planned by the wall clock: after sleep, a frozen tab, or a wall-clock jump forward.
 * The timer runs only while subscribed (one timer per source).
 *
 * @example
 * const stop = wakeSignal({ intervalMs: 10_000 })((signal) => manager.notify(signal));
 */
export function wakeSignal({
  clock = systemClock,
  intervalMs = 10_000,
  lateMs = 30_000,
}: WakeSignalOptions = {}): SignalSource {
  return createSignalSource((emit) => {
    let handle: unknown;
    const arm = () => {
      const due = clock.now() + intervalMs;
      handle = clock.setTimeout(() => {
        arm();
        if (clock.now() - due > lateMs) emit("wake");
      }, intervalMs);
    };
    arm();
    return () => clock.clearTimeout(handle);
  });
}
