/**
 * `appStateSignal`: React Native's (and Expo's) `AppState` as a {@link SignalSource}. An app coming back to
 * the foreground reports `"focus"`, so the manager re-checks its token at once, as a browser tab does when
 * it becomes visible. The `AppState` object is a parameter, typed by its shape: nothing here imports
 * `react-native`, so the package loads where it is not installed.
 *
 * @module
 */
import { createSignalSource, type SignalSource } from "./signal-source";

/**
 * The part of React Native's `AppState` that {@link appStateSignal} uses: `AppState` itself fits.
 * `addEventListener` returns a subscription with `remove()` (React Native 0.65 and later); on older versions
 * it returns nothing and `removeEventListener` removes the listener.
 */
export interface AppStateLike {
  /** `"active"`, `"background"`, `"inactive"` (iOS), `"unknown"` or `"extension"`. */
  readonly currentState?: string | null;
  /** Returns a subscription with `remove()` (React Native 0.65 and later), or nothing (before). */
  addEventListener(type: "change", listener: (state: string) => void): unknown;
  removeEventListener?(type: "change", listener: (state: string) => void): void;
}

/**
 * A {@link SignalSource} that emits `"focus"` each time `appState` changes to `"active"` from any other state
 * (`background`, or iOS's `inactive`): the app is back in the foreground, its JavaScript timers were
 * suspended meanwhile, and a token that fell due (or expired) is refreshed at once. It listens only while
 * subscribed, and removes its listener when the last subscriber leaves (the manager's `dispose()`).
 *
 * @param appState - React Native's `AppState` (from `react-native`), or anything of its shape.
 * @throws TypeError when `appState` has no `addEventListener`.
 *
 * @example
 * import { AppState } from "react-native";
 * import { appStateSignal, createTokenManager } from "convex-custom-jwt";
 *
 * const tokens = createTokenManager({ fetchToken, refreshOnFocus: appStateSignal(AppState) });
 */
export function appStateSignal(appState: AppStateLike): SignalSource {
  if (typeof appState?.addEventListener !== "function") {
    throw new TypeError(
      "appStateSignal(appState): `appState` must be React Native's AppState (an object with " +
        "addEventListener('change', listener)); got " +
        `${appState === null ? "null" : typeof appState}. The app must pass AppState from "react-native".`,
    );
  }
  return createSignalSource((emit) => {
    let last = appState.currentState;
    const onChange = (state: string) => {
      const wasActive = last === "active";
      last = state;
      if (state === "active" && !wasActive) emit("focus");
    };
    const subscription = appState.addEventListener("change", onChange) as { remove?: unknown } | null | undefined;
    return () => {
      if (typeof subscription?.remove === "function") subscription.remove();
      else appState.removeEventListener?.("change", onChange);
    };
  });
}
