/**
 * `SignalSource`: the shape every browser signal has, and `createSignalSource`, the tiny subscribable they
 * are built on. A source touches its globals only while someone listens: the first subscriber runs its
 * setup (adds the DOM listeners or arms the timer), the last unsubscribe runs the teardown.
 *
 * @module
 */
import type { OutsideSignal } from "../types";

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
 * Setup runs on the first subscription and teardown after the last; a listener that throws does not stop
 * the others.
 */
export function createSignalSource(setup: (emit: (signal: OutsideSignal) => void) => () => void): SignalSource {
  const listeners = new Set<(signal: OutsideSignal) => void>();
  let teardown: (() => void) | undefined;
  const emit = (signal: OutsideSignal) => {
    for (const listener of [...listeners]) {
      try {
        listener(signal);
      } catch {
        // One listener's failure must not stop the others (invariant 10).
      }
    }
  };
  return (listener) => {
    // A wrapper per subscription, so the same function subscribed twice is two subscriptions.
    const entry = (signal: OutsideSignal) => listener(signal);
    listeners.add(entry);
    if (listeners.size === 1) teardown = setup(emit);
    return () => {
      if (listeners.delete(entry) && listeners.size === 0) {
        teardown?.();
        teardown = undefined;
      }
    };
  };
}

/**
 * Listen to `type` on `target` (window or document) if that global exists; returns the removal. Never
 * throws where the global is missing (Node, workers, SSR).
 */
export function listen(target: EventTarget | undefined, type: string, handler: (event: Event) => void): () => void {
  target?.addEventListener(type, handler);
  return () => target?.removeEventListener(type, handler);
}

/** `globalThis.window` / `document` if they exist, looked up at call time. */
export const browserWindow = (): (EventTarget & Partial<Window>) | undefined =>
  typeof window !== "undefined" && typeof window.addEventListener === "function" ? window : undefined;
export const browserDocument = (): Document | undefined =>
  typeof document !== "undefined" && typeof document.addEventListener === "function" ? document : undefined;
