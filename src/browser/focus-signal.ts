/**
 * `focusSignal`: reports `"focus"` when the page becomes visible again or the window gains focus.
 *
 * @module
 */
import { browserGlobals, domSignal, type SignalSource } from "./signal-source";

/**
 * A {@link SignalSource} that emits `"focus"` on `visibilitychange` to visible and on window `focus`. It
 * adds its listeners only while subscribed, and only where `document` / `window` exist.
 *
 * @example
 * const stop = focusSignal()((signal) => manager.notify(signal));
 */
export function focusSignal(): SignalSource {
  return domSignal(() => {
    const { document: doc, window: win } = browserGlobals();
    return [
      [doc, "visibilitychange", () => doc!.visibilityState === "visible" && "focus"],
      [win, "focus", () => "focus"],
    ];
  });
}
