/**
 * `pageShowSignal`: reports `"wake"` when the page is restored from the back/forward cache.
 *
 * @module
 */
import { browserGlobals, domSignal, type SignalSource } from "./signal-source";

/**
 * A {@link SignalSource} that emits `"wake"` on a `pageshow` event with `persisted` set: the page was frozen
 * in the back/forward cache and its timers did not run meanwhile. The first load's `pageshow` is ignored.
 *
 * @example
 * const stop = pageShowSignal()((signal) => manager.notify(signal));
 */
export function pageShowSignal(): SignalSource {
  return domSignal(() => [
    [browserGlobals().window, "pageshow", (event) => (event as PageTransitionEvent).persisted && "wake"],
  ]);
}
