/**
 * `useConvexCustomJwt`: a token manager's state for React, in the shape `ConvexProviderWithAuth` expects.
 *
 * @module
 */
import { CONVEX_CLIENT_REFRESH_LEEWAY_SECONDS } from "../core/convex-time-rules";
import { useCallback, useEffect, useMemo, useSyncExternalStore } from "react";
import type { TokenStatus } from "../core/types";
import { isStillTrying } from "../convex/answer-policy";
import { assertTokenSource } from "../convex/validate";
import type { TokenSource } from "../core/token-source";
import { useInitialToken } from "./provider-source";
import { reactTokenFetcher } from "./react-token-fetcher";
import { serverSnapshotOf } from "./server-snapshot";

/** Options of {@link useConvexCustomJwt}. */
export interface UseConvexCustomJwtOptions {
  /**
   * The Convex client's `authRefreshTokenLeewaySeconds` (Convex's default is 10). Set the same value on
   * the client and here. A client leeway larger than the manager's refresh leeway + jitter (for the
   * defaults, 60 s + 30 s: e.g. `authRefreshTokenLeewaySeconds: 100`) lets `ConvexProviderWithAuth`
   * rotate with one fetch per rotation; with Convex's default of 10 s a rotation costs two fetches (see
   * the README). {@link ConvexProviderWithCustomJwt} always costs one. @default 10
   */
  authRefreshTokenLeewaySeconds?: number;
  /**
   * The token the server rendered the page with (server rendering: `createServerToken`'s answer), so the
   * server's render and the first client render are already signed in (`isLoading` false,
   * `isAuthenticated` true) and hydration matches. On mount the manager starts from it (`hydrate`): no
   * fetch when it passes the manager's acceptance; a token the manager drops is fetched anew. `null`: the
   * server knows there is no session (rendered signed out; nothing fetched until `manager.start()`).
   * Left out: rendered loading, as without server rendering. Under {@link ConvexProviderWithCustomJwt},
   * the provider's `initialToken` is used for its manager.
   */
  initialToken?: string | null;
}

/** What {@link useConvexCustomJwt} returns: `ConvexProviderWithAuth`'s `useAuth` shape, plus UI state. */
export interface ConvexCustomJwtState {
  /**
   * True while the manager has no valid token and is still trying to get one: idle, fetching, or retrying
   * with its retry policy not exhausted (an outage is shown as loading, never as a sign-out). False once it
   * holds a token, is signed out, or gave up for now (`snapshot.exhausted`: callers get its error at once,
   * Convex is answered `null`); it still tries in the background, and `isAuthenticated` turns true with
   * the next token.
   */
  readonly isLoading: boolean;
  /** True while the manager holds a token that has not expired. */
  readonly isAuthenticated: boolean;
  /**
   * Convex's `AuthTokenFetcher`, the same function for the life of the component and manager (a new
   * identity would make `ConvexProviderWithAuth` re-authenticate). Never throws, never hangs.
   */
  readonly fetchAccessToken: (args: { forceRefreshToken: boolean }) => Promise<string | null>;
  /** The manager's status; `"idle"` on the server and during hydration. */
  readonly status: TokenStatus;
  /** Local time (epoch ms) the held token expires; null without a token. */
  readonly expiresAt: number | null;
  /** `sub` of the held token; null without a token. */
  readonly subject: string | null;
  /** The last fetch failure since the last success; null when the last fetch succeeded. */
  readonly error: unknown;
}

/**
 * A token manager's state, re-rendered on every change (`useSyncExternalStore`). Server rendering and
 * hydration show the server's token (`initialToken`: signed in, or signed out for `null`), or loading
 * without one, so they agree. On mount it hands the server's token to an idle manager (`hydrate`), then
 * starts an idle manager (one fetch, shared with every other caller); it never restarts a signed-out one:
 * call `manager.start()` on sign-in.
 *
 * Use it for UI state under {@link ConvexProviderWithCustomJwt}, or as `ConvexProviderWithAuth`'s
 * `useAuth`. Throws a `TypeError` when `manager` is not a token manager or
 * `options.authRefreshTokenLeewaySeconds` is not a number of seconds >= 0.
 *
 * @example
 * function Account() {
 *   const { isLoading, isAuthenticated, subject, expiresAt } = useConvexCustomJwt(tokens);
 *   if (isLoading) return <p>Loading…</p>;
 *   return isAuthenticated ? <p>{subject}, until {new Date(expiresAt!).toLocaleTimeString()}</p> : <SignIn />;
 * }
 * // or: <ConvexProviderWithAuth client={convex} useAuth={() => useConvexCustomJwt(tokens)}>
 */
export function useConvexCustomJwt(
  manager: TokenSource,
  options: UseConvexCustomJwtOptions = {},
): ConvexCustomJwtState {
  assertTokenSource(manager, "useConvexCustomJwt");
  const leeway = options.authRefreshTokenLeewaySeconds ?? CONVEX_CLIENT_REFRESH_LEEWAY_SECONDS;
  const initialToken = useInitialToken(manager, options.initialToken);
  const subscribe = useCallback((listener: () => void) => manager.subscribe(listener), [manager]);
  const serverSnapshot = useMemo(() => serverSnapshotOf(initialToken), [initialToken]);
  const getServerSnapshot = useCallback(() => serverSnapshot, [serverSnapshot]);
  // Until the manager takes the server's token (on mount), the client shows what the server rendered: a
  // render before that (React 18 re-renders with getSnapshot during hydration) matches the server's HTML.
  const getSnapshot = useCallback(() => {
    const current = manager.getSnapshot();
    return current.status === "idle" && initialToken !== undefined ? serverSnapshot : current;
  }, [manager, initialToken, serverSnapshot]);
  const snapshot = useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot);
  const fetchAccessToken = useMemo(() => reactTokenFetcher(manager, leeway), [manager, leeway]);

  useEffect(() => {
    const release = fetchAccessToken.retain();
    // The server's token first: an idle manager starts from it (a no-op once it runs or was signed out).
    if (initialToken !== undefined && manager.getSnapshot().status === "idle") manager.hydrate?.(initialToken);
    // Start an idle manager: ConvexProviderWithAuth only asks for a token once this reports a session.
    // Single-flight in the manager makes StrictMode's second mount join the first fetch.
    if (manager.getSnapshot().status === "idle") manager.getToken().catch(() => {});
    return release;
  }, [manager, fetchAccessToken, initialToken]);

  return useMemo(() => {
    const { status, hasToken } = snapshot;
    return {
      isLoading: !hasToken && isStillTrying(snapshot), // the same rule the answer policy answers Convex by
      isAuthenticated: hasToken,
      fetchAccessToken,
      status,
      expiresAt: hasToken ? snapshot.expiresAt : null,
      subject: hasToken ? snapshot.subject : null,
      error: snapshot.error,
    };
  }, [snapshot, fetchAccessToken]);
}
