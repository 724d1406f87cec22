/**
 * `pageShowSignal`: reports `"wake"` when the page is restored from the back/forward cache.
 *
 * @module
 */
import { browserWindow, createSignalSource, listen, type SignalSource } from "./signal-source";

/**
 * A {@link SignalSource} that emits `"wake"` on a `pageshow` event with `persisted` set: the page was frozen
 * in the back/forward cache and its timers did not run meanwhile. The first load's `pageshow` is ignored.
 *
 * @example
 * const stop = pageShowSignal()((signal) => manager.notify(signal));
 */
export function pageShowSignal(): SignalSource {
  return createSignalSource((emit) =>
    listen(browserWindow(), "pageshow", (event) => {
      if ((event as PageTransitionEvent).persisted) emit("wake");
    }),
  );
}
