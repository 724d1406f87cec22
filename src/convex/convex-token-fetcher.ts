/**
 * `convexTokenFetcher`: a TokenManager seen through Convex's `AuthTokenFetcher` contract.
 *
 * @module
 */
import type { AuthTokenFetcher, TokenSource } from "./types";

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
  /** Pass as `setAuth`'s third argument: tells the fetcher when the server rejected its token. */
  readonly onRefreshChange: (isRefreshing: boolean) => void;
  /** The token the client was last handed (null when none). */
  readonly held: string | null;
  /** True while Convex is waiting on this fetcher or re-authenticating after a rejection. */
  readonly busy: boolean;
}

/** Seconds of margin for the round trip and the backend's zero mid-session leeway. */
const YOUNG_MARGIN_MS = 5_000;

/**
 * A stable `AuthTokenFetcher` for one Convex client, for apps that call `setAuth` themselves or feed
 * `ConvexProviderWithAuth`. Prefer {@link connectConvex}, which also re-authenticates on rotation and
 * sign-out.
 *
 * It obeys Convex's contract: it never throws and never hangs; `forceRefreshToken: true` resolves a
 * token the client does not hold yet (young enough for Convex's own refetch to land before `exp`), or
 * `null` only when the user is signed out or the token expired during an outage; `forceRefreshToken:
 * false` resolves `null`, which makes Convex's start cost one fetch and one `Authenticate` instead of two.
 *
 * @example
 * const fetchToken = convexTokenFetcher(tokens);
 * client.setAuth(fetchToken, onChange, fetchToken.onRefreshChange);
 */
export function convexTokenFetcher(
  manager: TokenSource,
  options: ConvexTokenFetcherOptions = {},
  /** @internal connectConvex passes `onRefreshChange` to setAuth, so server rejections are known. */
  wired = false,
): ConvexTokenFetcher {
  const leeway = options.authRefreshTokenLeewaySeconds ?? 10;
  if (!(leeway >= 0)) throw new TypeError("convexTokenFetcher: `authRefreshTokenLeewaySeconds` must be a number >= 0.");
  const maxAgeMs = Math.max(0, leeway * 1000 - YOUNG_MARGIN_MS);
  let held: string | null = null;
  let calls = 0;
  let rejected = false;

  /** Resolve the next token the manager gets, or null once it has none left to serve. */
  const nextToken = () =>
    new Promise<string | null>((resolve) => {
      const check = () => {
        const token = manager.peekToken();
        const { status, hasToken } = manager.getSnapshot();
        if ((token !== null && token !== held) || !hasToken || status === "signedOut" || status === "disposed") {
          unsubscribe();
          resolve(token !== held ? token : null);
        }
      };
      const unsubscribe = manager.subscribe(check);
      check();
    });

  const forced = async (): Promise<string | null> => {
    const token = manager.peekToken();
    const { issuedAt } = manager.getSnapshot();
    if (token !== null && token !== held && issuedAt !== null && Date.now() - issuedAt <= maxAgeMs) return token;
    // Convex asked before the manager's own rotation (its refetch, or its immediate loop for tokens shorter
    // than its leeway): wait for that rotation instead of spending a second fetch on it.
    // Only when the client reports server rejections (`wired`): a rejected token needs a new one now.
    if (token !== null && token === held && wired && !rejected) return nextToken();
    return manager.getToken({ forceRefresh: token !== null });
  };

  const fetcher = async ({ forceRefreshToken }: { forceRefreshToken: boolean }) => {
    if (!forceRefreshToken) return null;
    calls += 1;
    try {
      held = await forced();
    } catch {
      held = null; // never throw into Convex: its socket would stay paused or stopped
    } finally {
      calls -= 1;
    }
    return held;
  };

  return Object.defineProperties(fetcher, {
    onRefreshChange: {
      value: (isRefreshing: boolean) => {
        rejected = isRefreshing;
      },
    },
    held: { get: () => held },
    busy: { get: () => calls > 0 || rejected },
  }) as ConvexTokenFetcher;
}
