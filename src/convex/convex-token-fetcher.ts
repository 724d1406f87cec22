/**
 * `convexTokenFetcher`: a TokenManager seen through Convex's `AuthTokenFetcher` contract.
 *
 * @module
 */
import type { AuthTokenFetcher, TokenSource } from "./types";
import { assertTokenSource, fail } from "./validate";

/** Options of {@link convexTokenFetcher}. */
export interface ConvexTokenFetcherOptions {
  /**
   * The Convex client's `authRefreshTokenLeewaySeconds` (Convex's default is 10). A token handed on a
   * forced call is at most `leeway − 5` seconds old, so Convex's own refetch (confirmation + lifetime −
   * leeway) lands before `exp`. @default 10
   */
  authRefreshTokenLeewaySeconds?: number;
  /**
   * The longest a forced call waits for the manager, in ms, whatever the token endpoint does (hangs,
   * 5xx, `Retry-After: 86400`). Then it answers with the token the manager still holds, if any: Convex
   * pauses the socket while it waits, so every query waits too. Set it to your manager's
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
  const api = "convexTokenFetcher";
  assertTokenSource(manager, api);
  const leeway = options.authRefreshTokenLeewaySeconds ?? 10;
  if (!(leeway >= 0)) fail(api, "authRefreshTokenLeewaySeconds", "a number >= 0", leeway);
  const answerWithinMs = options.answerWithinMs ?? 10_000;
  if (!(answerWithinMs > 0)) fail(api, "answerWithinMs", "a number > 0", answerWithinMs);
  const leewayMs = leeway * 1000;
  let held: string | null = null;
  /** When Convex would refetch `held` on its own (epoch ms); a forced call well before it is a rejection. */
  let ownRefetchAt = 0;
  let calls = 0;
  /** Set by `onRefreshChange`: the server rejected the held token. */
  let rejected = false;

  const fetcher = async ({ forceRefreshToken }: { forceRefreshToken: boolean }) => {
    if (!forceRefreshToken) return null;
    calls++;
    const controller = new AbortController();
    const { signal } = controller;
    const timer = setTimeout(() => controller.abort(), answerWithinMs);
    let answer: string | null;
    try {
      const token = manager.peekToken();
      const now = Date.now();
      const { issuedAt } = manager.getSnapshot();
      answer = await (token !== null &&
      token !== held &&
      issuedAt !== null &&
      now - issuedAt <= Math.max(0, leewayMs - 5_000)
        ? // A token the client does not hold, young enough (with 5 s for the round trip and the backend's zero
          // mid-session leeway) for Convex's own refetch at lifetime − leeway to land before `exp`.
          token
        : token !== null && token === held && !rejected && !(now < ownRefetchAt - 3_000)
          ? // Convex asked before the manager's own rotation (its refetch, or its immediate loop for tokens
            // shorter than its leeway): wait for that rotation instead of spending a second fetch on it. A
            // rejected token (told by onRefreshChange, or a forced call over 3 s before Convex's own refetch
            // time) needs a new one now. The abort listener stays: the signal is this call's own.
            new Promise<string | null>((resolve) => {
              const check = () => {
                const next = manager.peekToken();
                const { status, hasToken } = manager.getSnapshot();
                if (
                  signal.aborted ||
                  (next !== null && next !== held) ||
                  !hasToken ||
                  status === "signedOut" ||
                  status === "disposed"
                ) {
                  unsubscribe();
                  resolve(next !== held ? next : null);
                }
              };
              const unsubscribe = manager.subscribe(check);
              signal.addEventListener("abort", check);
              check();
            })
          : manager.getToken({ forceRefresh: token !== null, signal }));
      if (answer === null && signal.aborted) throw 0; // to the fallback below
    } catch {
      // Never throw into Convex (its socket would stay paused or stopped). The manager could not answer
      // within `answerWithinMs` (or its retry policy gave up): answer with the token it still holds, if
      // valid. After a server rejection that is the very token Convex holds, which Convex takes as a
      // failure (as it would `null`); `connectConvex` re-authenticates the client once the manager has a
      // new token.
      answer = manager.peekToken();
    } finally {
      clearTimeout(timer);
      calls--;
    }
    if (answer !== null && answer !== held) {
      // The answer is always the manager's current token: Convex will refetch it at about lifetime − leeway
      // (a null time counts as 0: `x - null` is `x - 0`).
      const { issuedAt, expiresAt } = manager.getSnapshot();
      ownRefetchAt = Date.now() + (expiresAt as number) - (issuedAt as number) - leewayMs;
    }
    return (held = answer);
  };

  return Object.defineProperties(fetcher, {
    onRefreshChange: {
      value: (isRefreshing: boolean) => {
        rejected = isRefreshing === true;
      },
    },
    held: { get: () => held },
    busy: { get: () => calls > 0 || rejected },
  }) as ConvexTokenFetcher;
}
