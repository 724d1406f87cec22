/**
 * `createTokenManager`: the entry point apps call. Kept apart from the state machine so that defaults
 * a platform wants (browser signals, cross-tab sharing) are wired here without touching it.
 *
 * @module
 */
import { systemClock } from "../core/clock";
import { mustBe } from "../core/options";
import { TokenManager, type TokenManagerOptions } from "../core/token-manager";
import { crossTabFetcher } from "./cross-tab";
import { focusSignal } from "./focus-signal";
import { offlineGate } from "./offline-gate";
import { onlineSignal } from "./online-signal";
import { pageShowSignal } from "./page-show-signal";
import { browserGlobals, type SignalSource } from "./signal-source";
import { wakeSignal } from "./wake-signal";

/**
 * Options of {@link createTokenManager}: the core's {@link TokenManagerOptions} plus the browser defaults.
 * Each `refreshOn…` option takes `true`, `false`, or your own {@link SignalSource}.
 */
export interface CreateTokenManagerOptions extends TokenManagerOptions {
  /**
   * Re-check the token when the page becomes visible again or the window gains focus (a token that is due
   * is refreshed at once instead of at the next timer tick).
   * @default true in a page (where `document` exists), false elsewhere
   */
  refreshOnFocus?: boolean | SignalSource;
  /**
   * Follow the browser's `online`/`offline` events: while offline the fetcher is not called (a call waits
   * for the network instead), and coming back online refreshes at once.
   * @default true where `window` exists, false elsewhere
   */
  refreshOnReconnect?: boolean | SignalSource;
  /**
   * Re-check the token after the machine slept or the page was frozen: a probe timer that fires far later
   * than asked (every 10 s; 30 s late counts), and a page restored from the back/forward cache.
   * @default true in a page (where `document` exists), false elsewhere
   */
  refreshOnWake?: boolean | SignalSource;
  /**
   * Share tokens between the tabs of this origin that use the same key: one tab fetches per rotation (under
   * a Web Lock), the others adopt its token (over a BroadcastChannel), a tab opened while others hold a token
   * takes theirs without a fetch, and sign-out in one tab signs out all. Name the issuer and the app in it;
   * managers with different keys never share. Without Web Locks or BroadcastChannel (Node, old browsers)
   * each manager fetches for itself. @default undefined (off)
   *
   * @example
   * createTokenManager({ fetchToken, crossTabKey: "my-app:https://auth.example.com" });
   */
  crossTabKey?: string;
  /**
   * Longest wait for another tab's lock before this tab fetches on its own, so a frozen tab can never block
   * the rest. Keep it below `fetchTimeoutMs`. @default 5_000
   */
  crossTabLockWaitMs?: number;
  /**
   * Longest wait, in milliseconds, for another tab's answer when this tab has no token yet and other tabs of
   * its key hold one; nobody answering by then, this tab fetches. A tab alone, or one whose peers all start
   * with it, does not wait. @default 250
   */
  crossTabJoinWaitMs?: number;
}

/**
 * Create a {@link TokenManager}, with the browser's signals wired in wherever their globals exist, and
 * cross-tab sharing when `crossTabKey` is given. In Node, workers and SSR no browser global is touched.
 * `dispose()` removes every listener, timer and channel these added.
 *
 * @example
 * const tokens = createTokenManager({
 *   fetchToken: async ({ signal }) => {
 *     const res = await fetch("/api/convex-token", { signal, credentials: "include" });
 *     if (res.status === 401) return null;               // definitively signed out
 *     if (!res.ok) throw new Error(`token endpoint ${res.status}`);
 *     return (await res.json()).token;
 *   },
 *   crossTabKey: "my-app", // optional: one fetch per rotation for all tabs
 * });
 * const token = await tokens.getToken();
 */
export function createTokenManager(options: CreateTokenManagerOptions): TokenManager {
  const { refreshOnFocus, refreshOnReconnect, refreshOnWake, crossTabKey, ...rest } = options ?? {};
  const { crossTabLockWaitMs, crossTabJoinWaitMs, ...core } = rest;
  const option = (name: string) => `createTokenManager: \`${name}\``;
  for (const [name, value] of Object.entries({ refreshOnFocus, refreshOnReconnect, refreshOnWake })) {
    if (!["undefined", "boolean", "function"].includes(typeof value))
      mustBe(option(name), "true, false or a SignalSource (listener) => unsubscribe", value);
  }
  if (crossTabKey !== undefined && (typeof crossTabKey !== "string" || !crossTabKey))
    mustBe(option("crossTabKey"), "a non-empty string naming the app and the issuer", crossTabKey);
  for (const [name, value] of Object.entries({ crossTabLockWaitMs, crossTabJoinWaitMs })) {
    if (value !== undefined && !(typeof value === "number" && value >= 0 && value <= 86_400_000))
      mustBe(option(name), "a number of milliseconds from 0 to 86400000", value);
  }
  const appFetcher = core.fetchToken;
  // An invalid fetcher is left for the core to reject with its own message.
  if (typeof appFetcher !== "function") return new TokenManager(core);

  const clock = { ...systemClock, ...core.clock };
  // On by default where their globals exist: a page has `document`, and `window` for the network events.
  const { window: win, document: inPage } = browserGlobals();
  const pick = (option: boolean | SignalSource | undefined, byDefault: boolean, make: () => SignalSource[]) =>
    typeof option === "function" ? [option] : (option ?? byDefault) ? make() : [];
  const reconnect = pick(refreshOnReconnect, !!win, () => [onlineSignal()]);
  const sources = [
    ...pick(refreshOnFocus, !!inPage, () => [focusSignal()]),
    ...pick(refreshOnWake, !!inPage, () => [wakeSignal({ clock }), pageShowSignal()]),
  ];
  const crossTab = crossTabKey
    ? crossTabFetcher({
        key: crossTabKey,
        fetchToken: appFetcher,
        lockWaitMs: crossTabLockWaitMs,
        joinWaitMs: crossTabJoinWaitMs,
        clock,
      })
    : undefined;
  const shared = crossTab?.fetchToken ?? appFetcher;
  // Outermost, so that an offline tab does not hold the cross-tab lock while it waits for the network.
  const gate = reconnect.length ? offlineGate(shared) : undefined;
  const manager = new TokenManager({ ...core, fetchToken: gate?.fetchToken ?? shared });

  // The gate hears the network first, so the refresh the manager starts on "online" goes straight out.
  const stops = [
    ...reconnect.map((source) =>
      source((signal) => {
        gate!.update(signal);
        manager.notify(signal);
      }),
    ),
    ...sources.map((source) => source((signal) => manager.notify(signal))),
  ];
  if (crossTab) stops.push(crossTab.attach(manager));
  const unsubscribe = manager.subscribe(() => {
    if (manager.getSnapshot().status === "disposed") {
      unsubscribe();
      for (const stop of stops) stop();
    }
  });
  return manager;
}
