/**
 * `offlineGate`: holds the app's fetcher back while the browser says it is offline.
 *
 * @module
 */
import type { OutsideSignal, TokenFetcher } from "../types";

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
  let offline = false;
  const waiting = new Set<() => void>();
  return {
    update(signal) {
      if (signal === "offline") offline = true;
      else if (signal === "online") {
        offline = false;
        for (const resume of [...waiting]) resume();
      }
    },
    async fetchToken(context) {
      const { signal } = context;
      if (offline) {
        await new Promise<void>((resolve, reject) => {
          const resume = () => {
            waiting.delete(resume);
            signal.removeEventListener("abort", resume);
            if (signal.aborted) reject(signal.reason);
            else resolve();
          };
          waiting.add(resume);
          signal.addEventListener("abort", resume);
          if (signal.aborted) resume();
        });
      }
      return fetchToken(context);
    },
  };
}
