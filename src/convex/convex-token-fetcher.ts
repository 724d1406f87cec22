/**
 * `convexTokenFetcher`: a TokenManager seen through Convex's `AuthTokenFetcher` contract.
 *
 * @module
 */
import { type ConvexAsk, chooseAnswer, refetchDueAfterHandOver, type AnswerStrategy } from "./answer-policy";
import { runAnswer } from "./run-answer";
import type { AuthTokenFetcher, TokenSource } from "./types";
import { answerWithinMsOf, assertTokenSource, leewayMsOf } from "./validate";

/** Options of {@link convexTokenFetcher}. */
export interface ConvexTokenFetcherOptions {
  /**
   * The Convex client's `authRefreshTokenLeewaySeconds` (Convex's default is 10). A token handed on a
   * forced call is at most `leeway − 5` seconds old, so Convex's own refetch (confirmation + lifetime −
   * leeway) lands before `exp`. @default 10
   */
  authRefreshTokenLeewaySeconds?: number;
  /**
   * The longest a forced call waits for the manager, in ms (1 to 86,400,000), whatever the token endpoint
   * does (hangs, 5xx, `Retry-After: 86400`). Then it answers with the token the manager still holds, if any:
   * Convex pauses the socket while it waits, so every query waits too. Set it to your manager's
   * `fetchTimeoutMs`. @default 10_000
   */
  answerWithinMs?: number;
}

/** A stable `AuthTokenFetcher` bound to one Convex client, plus what the adapter needs to know of it. */
export interface ConvexTokenFetcher extends AuthTokenFetcher {
  /** Pass as `setAuth`'s third argument (convex ≥ 1.40): tells the fetcher when the server rejected its token. */
  readonly onRefreshChange: (isRefreshing: boolean) => void;
  /** The token the client was last handed (null when none). */
  readonly held: string | null;
  /** True while Convex is waiting on this fetcher or re-authenticating after a rejection. */
  readonly busy: boolean;
}

/**
 * A stable `AuthTokenFetcher` for one Convex client, for apps that call `setAuth` themselves or feed
 * `ConvexProviderWithAuth`. Prefer {@link connectConvex}, which also re-authenticates on rotation and
 * sign-out.
 *
 * It obeys Convex's contract:
 * - it never throws, and answers within about `answerWithinMs` whatever the token endpoint does;
 * - `forceRefreshToken: true` resolves a token the client does not hold yet (young enough for Convex's own
 *   refetch to land before `exp`); after a server rejection (told by `onRefreshChange` on convex ≥ 1.40,
 *   or seen as a forced call well before Convex's own refetch time on older clients) it fetches one new
 *   token at once;
 * - it resolves `null` only when the manager is signed out or holds no valid token: during an outage it
 *   answers with the still-valid token it holds (the very string the client holds, when the manager
 *   could not rotate: Convex then stops refetching on its own, and `connectConvex` pushes the next
 *   rotation itself — with a bare fetcher, call `setAuth` again on the manager's `token` event);
 * - `forceRefreshToken: false` resolves `null`, which makes Convex's start cost one fetch and one
 *   `Authenticate` instead of two.
 *
 * @example
 * const fetchToken = convexTokenFetcher(tokens);
 * client.setAuth(fetchToken, onChange, fetchToken.onRefreshChange);
 */
export function convexTokenFetcher(manager: TokenSource, options: ConvexTokenFetcherOptions = {}): ConvexTokenFetcher {
  return fetcherFor(manager, options, "convexTokenFetcher");
}

/** {@link convexTokenFetcher}, with the API its `TypeError`s name (`connectConvex` builds one too). */
export function fetcherFor(
  manager: TokenSource,
  options: ConvexTokenFetcherOptions,
  where: string,
): ConvexTokenFetcher {
  assertTokenSource(manager, where);
  const leewayMs = leewayMsOf(options.authRefreshTokenLeewaySeconds, where);
  const answerWithinMs = answerWithinMsOf(options.answerWithinMs, where);
  /** What this fetcher knows of its client: the token it holds, and whether the server rejected it. */
  let held: string | null = null;
  let rejected = false;
  /** From when a forced call for `held` is Convex's own refetch rather than a rejection (epoch ms). */
  let refetchDueFrom: number | null = null;
  /** Forced calls Convex is waiting on. */
  let answering = 0;

  /**
   * Carry out `strategy` within `answerWithinMs`. Never throws into Convex (its socket would stay paused or
   * stopped): past the deadline, or once the manager's retry policy gave up, the answer is the token the
   * manager still holds if it is valid, else `null`. After a server rejection that is the very token Convex
   * holds, which Convex takes as a failure (as it would `null`); `connectConvex` re-authenticates the client
   * once the manager has a new token.
   */
  const answerWithinDeadline = async (strategy: AnswerStrategy, offered: string | null): Promise<string | null> => {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), answerWithinMs);
    try {
      const answer = await runAnswer(strategy, manager, offered, held, deadline.signal);
      return answer === null && deadline.signal.aborted ? manager.peekToken() : answer;
    } catch {
      return manager.peekToken();
    } finally {
      clearTimeout(timer);
    }
  };

  const fetcher = async (ask: ConvexAsk): Promise<string | null> => {
    const token = manager.peekToken();
    const strategy = chooseAnswer({
      ask,
      manager: { token, snapshot: manager.getSnapshot() },
      client: { active: true, held, rejected, refetchDueFrom },
      now: Date.now(),
      leewayMs,
      waitIsBounded: true,
    });
    // Convex's cached-token call: `null` sends it down its one-fetch path; nothing is learnt about the client.
    if (strategy === "answerNull") return null;
    answering += 1;
    let answer: string | null;
    try {
      answer = await answerWithinDeadline(strategy, token);
    } finally {
      answering -= 1;
    }
    if (answer !== null && answer !== held) {
      refetchDueFrom = refetchDueAfterHandOver(Date.now(), manager.getSnapshot(), leewayMs);
    }
    held = answer;
    return answer;
  };

  return Object.defineProperties(fetcher, {
    onRefreshChange: {
      value: (isRefreshing: boolean) => {
        rejected = isRefreshing === true;
      },
    },
    held: { get: () => held },
    busy: { get: () => answering > 0 || rejected },
  }) as ConvexTokenFetcher;
}
