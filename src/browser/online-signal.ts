/**
 * `onlineSignal`: reports `"online"` and `"offline"` from the window's events.
 *
 * @module
 */
import { browserGlobals, domSignal, type SignalSource } from "./signal-source";

/**
 * A {@link SignalSource} that emits `"offline"` on the window's `offline` event and `"online"` on `online`.
 * It never reads `navigator.onLine` up front (it reports "offline" wrongly on some setups): only the events
 * count. Listeners exist only while subscribed, and only where `window` exists.
 *
 * @example
 * const stop = onlineSignal()((signal) => manager.notify(signal));
 */
export function onlineSignal(): SignalSource {
  return domSignal(() => {
    const win = browserGlobals().window;
    return [
      [win, "online", () => "online"],
      [win, "offline", () => "offline"],
    ];
  });
}
