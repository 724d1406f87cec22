/**
 * `offlineGate`: holds the app's fetcher back while the browser says it is offline.
 *
 * @module
 */
import type { OutsideSignal, TokenFetcher } from "../core/types";

/** A gated fetcher, and `update`, fed with the online signal's events. */
export interface OfflineGate {
  fetchToken: TokenFetcher;
  update(signal: OutsideSignal): void;
}

/**
 * Wrap `fetchToken` so that, between an `"offline"` and the next `"online"`, a call waits (until online, or
 * until the manager aborts it) instead of reaching the network: no request storm while offline, and the
 * waiting call goes out the moment the network is back.
 *
 * @example
 * const gate = offlineGate(fetchToken);
 * onlineSignal()(gate.update);
 */
export function offlineGate(fetchToken: TokenFetcher): OfflineGate {
  /** Settles when the network is back; undefined while online. */
  let back: Promise<void> | undefined;
  let reopen = () => {};
  return {
    update(signal) {
      if (signal === "offline") back ??= new Promise((resolve) => (reopen = resolve));
      else if (signal === "online") {
        reopen();
        back = undefined;
      }
    },
    async fetchToken(context) {
      const { signal } = context;
      // The context's signal lives for this one call: its listener goes with it.
      if (back) await Promise.race([back, new Promise((resolve) => signal.addEventListener("abort", resolve))]);
      signal.throwIfAborted();
      return fetchToken(context);
    },
  };
}
