/**
 * `SignalSource`: the shape every browser signal has; `createSignalSource`, the tiny subscribable they are
 * built on; and `domSignal`, which builds one from DOM events. A source touches its globals only while
 * someone listens: the first subscriber runs its setup (adds the DOM listeners or arms the timer), the last
 * unsubscribe runs the teardown.
 *
 * @module
 */
import type { OutsideSignal } from "../core/types";

/**
 * Something that reports outside events ({@link OutsideSignal}) to a listener: call it with a listener,
 * get back the unsubscribe function. Write your own for platforms without DOM events (React Native's
 * `AppState`, Electron's `powerMonitor`) and pass it as `refreshOnFocus` / `refreshOnReconnect` /
 * `refreshOnWake`.
 *
 * @example
 * import { AppState } from "react-native";
 * const appState: SignalSource = (listener) => {
 *   const subscription = AppState.addEventListener("change", (s) => s === "active" && listener("focus"));
 *   return () => subscription.remove();
 * };
 */
export type SignalSource = (listener: (signal: OutsideSignal) => void) => () => void;

/**
 * Build a {@link SignalSource} from `setup(emit)`, which installs listeners and returns their teardown.
 * Setup runs on the first subscription and teardown after the last (one function subscribed twice counts
 * once); a listener that throws does not stop the others.
 */
export function createSignalSource(setup: (emit: (signal: OutsideSignal) => void) => () => void): SignalSource {
  const listeners = new Set<(signal: OutsideSignal) => void>();
  let teardown: (() => void) | undefined;
  const emit = (signal: OutsideSignal) => {
    for (const listener of listeners) {
      try {
        listener(signal);
      } catch {
        // One listener's failure must not stop the others (invariant 10).
      }
    }
  };
  return (listener) => {
    listeners.add(listener);
    if (listeners.size === 1) teardown = setup(emit);
    return () => {
      if (listeners.delete(listener) && !listeners.size) teardown!();
    };
  };
}

/** One DOM event to follow: its target (missing outside a browser), its type, and the signal it means. */
export type DomBinding = [
  target: EventTarget | undefined,
  type: string,
  toSignal: (event: Event) => OutsideSignal | false | undefined,
];

/**
 * A {@link SignalSource} from DOM events. `bindings` is called at the first subscription (so globals are
 * looked up then, not at import); a binding whose target is missing is skipped.
 */
export function domSignal(bindings: () => DomBinding[]): SignalSource {
  return createSignalSource((emit) => {
    const offs = bindings().map(([target, type, toSignal]) => {
      const handler = (event: Event) => {
        const signal = toSignal(event);
        if (signal) emit(signal);
      };
      target?.addEventListener?.(type, handler);
      return () => target?.removeEventListener?.(type, handler);
    });
    return () => {
      for (const off of offs) off();
    };
  });
}

/**
 * `window` and `document` where they exist, read off `globalThis` at call time (never a ReferenceError):
 * undefined in Node, workers and SSR.
 */
export const browserGlobals = (): { window?: EventTarget; document?: Document } => globalThis as never;
