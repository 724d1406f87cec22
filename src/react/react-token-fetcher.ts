/**
 * `reactTokenFetcher`: the `fetchAccessToken` that `useConvexCustomJwt` hands to `ConvexProviderWithAuth`.
 *
 * @module
 */
import type { ConvexAsk } from "../convex/answer-policy";
import { ClientRecord } from "../convex/client-record";
import { answerAsk } from "../convex/run-answer";
import { leewayMsOf } from "../convex/validate";
import type { TokenSource } from "../core/token-source";

/** A stable `fetchAccessToken` plus the switch the hook flips on mount and unmount. */
export interface ReactTokenFetcher {
  (args: { forceRefreshToken: boolean }): Promise<string | null>;
  /** Count one more mounted user (returns the release function): with none, the fetcher answers `null`. */
  retain(): () => void;
}

/**
 * Convex's `AuthTokenFetcher` contract for a client that this code cannot push rotations to (it only
 * learns of them when Convex asks). It answers as the shared answer policy (`chooseAnswer`) says, according
 * to how Convex asked, with what this fetcher can know:
 *
 * - Convex's start is told by its unforced first call; a server rejection by a forced call well before
 *   Convex's own refetch of the token it was handed (`ConvexProviderWithAuth` keeps `onRefreshChange` for
 *   itself);
 * - at its start or after a rejection (socket paused or stopped) it waits at most the manager's
 *   `fetchTimeoutMs` for a token; at its scheduled refetch (socket running) it waits for the manager's next
 *   token, `null` only once the manager signed out or gave up with no valid token;
 * - never throws; `null` once nothing that uses it is mounted, so Convex's scheduled refetch cannot sign an
 *   unmounted client back in.
 *
 * Throws a `TypeError` when `leewaySeconds` is not a number of seconds >= 0.
 */
export function reactTokenFetcher(manager: TokenSource, leewaySeconds: number): ReactTokenFetcher {
  const leewayMs = leewayMsOf(leewaySeconds, "useConvexCustomJwt");
  const client = new ClientRecord(leewayMs);
  let users = 0;

  const fetcher = async (ask: ConvexAsk): Promise<string | null> => {
    if (users === 0) return null;
    return answerAsk(manager, client, ask, leewayMs);
  };
  return Object.assign(fetcher, {
    retain(): () => void {
      users += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        users -= 1;
        // Unmounted: the call under way answers null, and nothing is handed to a client nobody renders.
        if (users === 0) client.release();
      };
    },
  });
}
