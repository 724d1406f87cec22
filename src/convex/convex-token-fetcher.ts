/**
 * `convexTokenFetcher`: a TokenManager seen through Convex's `AuthTokenFetcher` contract.
 *
 * @module
 */
import type { ConvexAsk } from "./answer-policy";
import { ClientRecord } from "./client-record";
import { answerAsk } from "./run-answer";
import type { AuthTokenFetcher, TokenSource } from "./types";
import { assertTokenSource, leewayMsOf, rejectAnswerWithinMs } from "./validate";

/** Options of {@link convexTokenFetcher}. */
export interface ConvexTokenFetcherOptions {
  /**
   * The Convex client's `authRefreshTokenLeewaySeconds` (Convex's default is 10). A token handed on a
   * forced call is at most `leeway − 5` seconds old, so Convex's own refetch (confirmation + lifetime −
   * leeway) lands before `exp`. @default 10
   */
  authRefreshTokenLeewaySeconds?: number;
}

/** A stable `AuthTokenFetcher` bound to one Convex client, plus what the adapter needs to know of it. */
export interface ConvexTokenFetcher extends AuthTokenFetcher {
  /** Pass as `setAuth`'s third argument (convex ≥ 1.40): tells the fetcher when the server rejected its token. */
  readonly onRefreshChange: (isRefreshing: boolean) => void;
  /** The token the client holds: the last answer Convex took (null when none). */
  readonly held: string | null;
  /** True while Convex is waiting on this fetcher or re-authenticating after a rejection. */
  readonly busy: boolean;
}

/**
 * A stable `AuthTokenFetcher` for one Convex client, for apps that call `setAuth` themselves or feed
 * `ConvexProviderWithAuth`. Prefer {@link connectConvex}, which also pushes each rotation and sign-out.
 *
 * It answers according to how Convex asked (README, "How Convex is answered"):
 * - `forceRefreshToken: false` (the first call of Convex's start) resolves `null`, which makes the start
 *   cost one fetch and one `Authenticate` instead of two;
 * - at Convex's start and after a server rejection (told by `onRefreshChange` on convex ≥ 1.40, or seen as a
 *   forced call well before Convex's own refetch time on older clients), Convex's socket waits: the answer is
 *   a token Convex does not hold yet (young enough for Convex's own refetch to land before `exp`), or, once
 *   the manager's `fetchTimeoutMs` has passed or its retry policy gave up, the valid token it holds, else
 *   `null` (public queries then run; `connectConvex` pushes the token the moment it arrives);
 * - at Convex's scheduled refetch the socket runs on the token Convex holds: the answer waits for the
 *   manager's next token, and is `null` only once the manager signed out, or gave up with no valid token;
 * - it never throws, and never hands a scheduled refetch the token Convex holds (Convex would stop
 *   refreshing).
 *
 * Throws a `TypeError` when `manager` is not a token manager or an option is wrong (`answerWithinMs` is
 * gone: the wait is the manager's `fetchTimeoutMs`).
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
  rejectAnswerWithinMs(options, where);
  const client = new ClientRecord(leewayMs);

  const fetcher = async (ask: ConvexAsk): Promise<string | null> => {
    return answerAsk(manager, client, ask, leewayMs);
  };

  return Object.defineProperties(fetcher, {
    onRefreshChange: {
      value: (isRefreshing: boolean) => {
        client.rejected = isRefreshing === true;
      },
    },
    held: { get: () => client.held },
    busy: { get: () => client.answering || client.rejected },
  }) as ConvexTokenFetcher;
}
