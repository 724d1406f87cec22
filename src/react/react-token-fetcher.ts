/**
 * `reactTokenFetcher`: the `fetchAccessToken` that `useConvexCustomJwt` hands to `ConvexProviderWithAuth`.
 *
 * @module
 */
import { type ConvexAsk, chooseAnswer, refetchDueBeforeExpiry } from "../convex/answer-policy";
import { runAnswer } from "../convex/run-answer";
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
 * learns of them when Convex asks), so every answer must keep Convex's own schedule safe. It answers as
 * the shared answer policy (`chooseAnswer`) says, with what this fetcher knows:
 *
 * - no push, so no deadline: it waits for the manager's rotation only when one is planned while the held
 *   token is still good (Convex's leeway larger than the manager's: one fetch per rotation, not two; the
 *   socket keeps running on the held token meanwhile);
 * - Convex's scheduled refetch is told from a rejection by the held token's expiry: Convex asks `leeway`
 *   before `exp`, a rejection comes any time and needs a new token now;
 * - never throws (a failure answers `null`), never hangs on a signed-out manager; `null` once nothing that
 *   uses it is mounted, so Convex's scheduled refetch cannot sign an unmounted client back in.
 *
 * Throws a `TypeError` when `leewaySeconds` is not a number of seconds >= 0.
 */
export function reactTokenFetcher(manager: TokenSource, leewaySeconds: number): ReactTokenFetcher {
  const leewayMs = leewayMsOf(leewaySeconds, "useConvexCustomJwt");
  let held: string | null = null;
  let users = 0;

  const fetcher = async (ask: ConvexAsk): Promise<string | null> => {
    let answer: string | null;
    try {
      const token = manager.peekToken();
      const snapshot = manager.getSnapshot();
      const strategy = chooseAnswer({
        ask,
        manager: { token, snapshot },
        client: {
          active: users > 0,
          held,
          rejected: false, // ConvexProviderWithAuth passes no onRefreshChange
          // Read only when the manager's token is the one Convex holds: then these are its times.
          refetchDueFrom: refetchDueBeforeExpiry(snapshot.expiresAt, leewayMs),
        },
        now: Date.now(),
        leewayMs,
        waitIsBounded: false,
      });
      if (strategy === "answerNull") return null;
      answer = await runAnswer(strategy, manager, token, held);
    } catch {
      answer = null; // never throw into Convex: its socket would stay paused or stopped
    }
    // Unmounted while waiting: hand nothing to a client nobody renders any more.
    held = users === 0 ? null : answer;
    return held;
  };
  return Object.assign(fetcher, {
    retain(): () => void {
      users += 1;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        users -= 1;
      };
    },
  });
}
