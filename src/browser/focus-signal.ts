/**
 * `focusSignal`: reports `"focus"` when the page becomes visible again or the window gains focus.
 *
 * @module
 */
import { browserDocument, browserWindow, createSignalSource, listen, type SignalSource } from "./signal-source";

/**
 * A {@link SignalSource} that emits `"focus"` on `visibilitychange` to visible and on window `focus`. It
 * adds its listeners only while subscribed, and only where `document` / `window` exist.
 *
 * @example
 * const stop = focusSignal()((signal) => manager.notify(signal));
 */
export function focusSignal(): SignalSource {
  return createSignalSource((emit) => {
    const doc = browserDocument();
    const offVisible = listen(doc, "visibilitychange", () => {
      if (doc!.visibilityState === "visible") emit("focus");
    });
    const offFocus = listen(browserWindow(), "focus", () => emit("focus"));
    return () => {
      offVisible();
      offFocus();
    };
  });
}
