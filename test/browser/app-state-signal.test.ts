/**
 * `appStateSignal` with a fake React Native `AppState`: the app back in the foreground re-checks its token
 * at once, as a browser tab's focus does. Guards pain point 4 of peer-token-managers.md (an expired token
 * after a phone's sleep: supabase/supabase#6464 "token refresh does not work on mobile devices going in and
 * out of sleep") and the Expo socket that goes stale in the background with no AppState hook
 * (convex-backend #562).
 */
import { readFileSync, readdirSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { appStateSignal, type AppStateLike } from "../../src/browser/app-state-signal";
import { createTokenManager } from "../../src/browser/create-token-manager";
import type { Clock } from "../../src/core/clock";
import type { TokenManager } from "../../src/core/token-manager";
import type { OutsideSignal } from "../../src/core/types";
import { createFakeClock, type FakeClock } from "../../src/testing/fake-clock";
import { countingIssuer } from "./fake-browser";

const MIN = 60_000;
const managers: TokenManager[] = [];

afterEach(() => {
  for (const manager of managers.splice(0)) manager.dispose();
});

type Status = "active" | "background" | "inactive" | "unknown" | "extension";

/**
 * React Native's `AppState` as of 0.65: `addEventListener("change", listener)` returns a subscription whose
 * `remove()` takes the listener away. With `legacy`, the API before 0.65: it returns nothing, and
 * `removeEventListener` does it.
 */
class FakeAppState {
  readonly listeners = new Set<(state: Status) => void>();
  removed = 0;
  constructor(
    public currentState: Status = "active",
    readonly legacy = false,
  ) {}
  addEventListener(type: "change" | "memoryWarning" | "blur" | "focus", listener: (state: Status) => void) {
    if (type !== "change") throw new Error(`the signal should only listen to "change", not ${type}`);
    this.listeners.add(listener);
    if (this.legacy) return undefined;
    return { remove: () => this.#remove(listener) };
  }
  removeEventListener(_type: "change", listener: (state: Status) => void) {
    if (!this.legacy) throw new Error("removeEventListener is gone since React Native 0.65");
    this.#remove(listener);
  }
  /** The OS moves the app to `state`. */
  set(state: Status): void {
    this.currentState = state;
    for (const listener of this.listeners) listener(state);
  }
  #remove(listener: (state: Status) => void): void {
    if (this.listeners.delete(listener)) this.removed++;
  }
}

function record() {
  const seen: OutsideSignal[] = [];
  return { seen, listener: (signal: OutsideSignal) => void seen.push(signal) };
}

/** An app in the background on iOS: its JavaScript timers do not fire for the next half hour. */
function suspended(clock: FakeClock): Clock {
  return { ...clock, setTimeout: (callback, delayMs) => clock.setTimeout(callback, Math.max(delayMs, 30 * MIN)) };
}

describe("appStateSignal", () => {
  it("emits focus when the app comes back to the foreground, and only then", () => {
    const appState = new FakeAppState("active");
    const a = record();
    const off = appStateSignal(appState)(a.listener);
    appState.set("inactive"); // iOS: control center pulled down
    appState.set("active");
    expect(a.seen).toEqual(["focus"]);
    appState.set("background");
    appState.set("background");
    expect(a.seen).toEqual(["focus"]);
    appState.set("active");
    appState.set("active"); // a repeated "active" is not a new return to the foreground
    expect(a.seen).toEqual(["focus", "focus"]);
    off();
  });

  it("listens only while subscribed, and removes its listener with the subscription's remove()", () => {
    const appState = new FakeAppState();
    const source = appStateSignal(appState);
    expect(appState.listeners.size).toBe(0);
    const offs = [source(() => {}), source(() => {})];
    expect(appState.listeners.size).toBe(1); // one listener, whatever the number of subscribers
    for (const off of offs) off();
    expect(appState.listeners.size).toBe(0);
    expect(appState.removed).toBe(1);
  });

  it("works with React Native before 0.65 (no subscription; removeEventListener)", () => {
    const appState = new FakeAppState("background", true);
    const a = record();
    const off = appStateSignal(appState)(a.listener);
    appState.set("active");
    expect(a.seen).toEqual(["focus"]);
    off();
    expect(appState.listeners.size).toBe(0);
  });

  it("a listener that throws does not stop the others", () => {
    const appState = new FakeAppState("background");
    const source = appStateSignal(appState);
    const a = record();
    source(() => {
      throw new Error("listener bug");
    });
    source(a.listener);
    appState.set("active");
    expect(a.seen).toEqual(["focus"]);
  });

  it("says what to pass when given something that is not AppState", () => {
    expect(() => appStateSignal(undefined as never)).toThrow(TypeError);
    expect(() => appStateSignal({} as never)).toThrow(
      new RegExp(
        "appStateSignal\\(appState\\): `appState` must be React Native's AppState .*got object\\. " +
          "The app must pass AppState",
      ),
    );
  });

  it("takes React Native's AppState as typed by react-native (a structural check, no import)", () => {
    // The shape of `AppStateStatic` in react-native's AppState.d.ts.
    type AppStateStatus = "active" | "background" | "inactive" | "unknown" | "extension";
    interface AppStateStatic {
      currentState: AppStateStatus;
      isAvailable: boolean;
      addEventListener(
        type: "change" | "memoryWarning" | "blur" | "focus",
        listener: (state: AppStateStatus) => void,
      ): { remove(): void };
    }
    const rnAppState: AppStateStatic = {
      currentState: "active",
      isAvailable: true,
      addEventListener: () => ({ remove() {} }),
    };
    const typed: AppStateLike = rnAppState;
    expect(typeof appStateSignal(typed)).toBe("function");
    // Before 0.65: addEventListener returned void, and removeEventListener existed.
    const legacy: AppStateLike = {
      currentState: "active",
      addEventListener(_type: "change", _listener: (state: AppStateStatus) => void): void {},
      removeEventListener(_type: "change", _listener: (state: AppStateStatus) => void): void {},
    };
    expect(typeof appStateSignal(legacy)).toBe("function");
  });

  it("nothing in the package imports react-native", () => {
    const files = readdirSync(new URL("../../src", import.meta.url), { recursive: true, encoding: "utf8" });
    const sources = files.filter((file) => /\.tsx?$/.test(file));
    expect(sources.length).toBeGreaterThan(50);
    for (const file of sources) {
      const text = readFileSync(new URL(`../../src/${file}`, import.meta.url), "utf8");
      // Import statements, dynamic imports and require: the JSDoc examples show the app's own import.
      const code = text.replace(/\/\*[\s\S]*?\*\//g, "");
      expect(code, file).not.toMatch(/^\s*(import|export)\b[^;]*?\bfrom\s*["']react-native["']/m);
      expect(code, file).not.toMatch(/(import|require)\(\s*["']react-native["']/);
    }
  });
});

describe("an Expo app through the background", () => {
  it("background → active after the token expired: re-checks at once and fetches once", async () => {
    const clock = createFakeClock();
    const issuer = countingIssuer(clock, { lifetimeSec: 60, latencyMs: 100 });
    const appState = new FakeAppState("active");
    const manager = createTokenManager({
      fetchToken: issuer.fetchToken,
      clock: suspended(clock),
      refreshOnFocus: appStateSignal(appState),
    });
    managers.push(manager);
    const reasons: string[] = [];
    manager.on("refreshing", ({ reason }) => reasons.push(reason));
    manager.start();
    await clock.advance(1_000);
    expect(manager.getSnapshot().status).toBe("valid");
    appState.set("background");
    await clock.advance(10 * MIN); // the token expired 9 minutes ago; no timer ran
    expect(issuer.calls).toHaveLength(1);
    expect(manager.peekToken()).toBeNull();

    appState.set("active");
    expect(reasons).toEqual(["initial", "focus"]); // at once, not at the next timer
    await clock.advance(100);
    expect(issuer.calls).toHaveLength(2);
    expect(manager.peekToken()).toBe(issuer.issued[1]);
    await expect(manager.getToken()).resolves.toBe(issuer.issued[1]);

    appState.set("inactive");
    appState.set("active"); // back again with a fresh token: nothing to do
    await clock.advance(1_000);
    expect(issuer.calls).toHaveLength(2);
  });

  it("dispose() removes the AppState listener", () => {
    const clock = createFakeClock();
    const appState = new FakeAppState();
    const manager = createTokenManager({
      fetchToken: countingIssuer(clock).fetchToken,
      clock,
      refreshOnFocus: appStateSignal(appState),
    });
    expect(appState.listeners.size).toBe(1);
    manager.dispose();
    expect(appState.listeners.size).toBe(0);
    expect(appState.removed).toBe(1);
  });
});
