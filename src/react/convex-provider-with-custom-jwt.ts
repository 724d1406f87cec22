/**
 * `ConvexProviderWithCustomJwt`: the one-line React setup, built on `connectConvex`.
 *
 * @module
 */
import { createElement, useContext, useMemo, type ReactNode } from "react";
import { ConvexProvider, ConvexProviderWithAuth, type ConvexReactClient } from "convex/react";
import { classifyClient } from "../convex/client-kind";
import { assertTokenSource, leewayMsOf } from "../convex/validate";
import type { TokenSource } from "../core/token-source";
import { type Bridge, ConnectClient } from "./connect-client";
import { ProviderSource } from "./provider-source";
import { useConvexCustomJwt } from "./use-convex-custom-jwt";

/** Props of {@link ConvexProviderWithCustomJwt}. */
export interface ConvexProviderWithCustomJwtProps {
  /** The app's `ConvexReactClient` (create it once, outside components). */
  client: ConvexReactClient;
  /** The app's token manager (`createTokenManager`), or anything implementing `TokenSource`. */
  manager: TokenSource;
  /** The client's `authRefreshTokenLeewaySeconds`, if you changed it. @default 10 */
  authRefreshTokenLeewaySeconds?: number;
  /**
   * The token the server rendered the page with (server rendering; in Next.js, `createServerToken`'s
   * answer, passed from a server component). The server's render and the first client render are then
   * signed in for `useConvexCustomJwt(manager)` below (no loading or signed-out view, hydration matches),
   * and the manager starts from it: no token fetch, one `Authenticate`. `null`: the server knows there is
   * no session (signed out at once, nothing fetched). Left out: loading until the manager has a token.
   * Only an idle manager takes it (`manager.hydrate`): a running or signed-out one keeps its own state.
   */
  initialToken?: string | null;
  children?: ReactNode;
}

/**
 * `ConvexProviderWithAuth`'s `useAuth`: the hook's state for the provider's manager. One function for the
 * module's life (read from context, not built per provider), so its identity never changes.
 */
function useProviderAuth() {
  const { manager, options } = useContext(ProviderSource)!; // always rendered under its provider
  const { isLoading, isAuthenticated, fetchAccessToken } = useConvexCustomJwt(manager, options);
  return { isLoading, isAuthenticated, fetchAccessToken };
}

/**
 * `ConvexProvider` plus auth from a token manager, in one line. `useConvexAuth()` works under it.
 *
 * The client is kept authenticated by {@link connectConvex}: one fetch and one `Authenticate` to start,
 * and per rotation (pushed to Convex, not waiting for its own schedule); re-renders, parent state changes
 * and StrictMode's double mount send nothing. `manager.signOut()` signs the client out at once;
 * `manager.start()` signs it back in; unmounting leaves it signed out, with no scheduled refetch able to
 * sign it back in. `ConvexProviderWithAuth` below only mirrors the state for `useConvexAuth()`.
 *
 * @example
 * const convex = new ConvexReactClient(import.meta.env.VITE_CONVEX_URL);
 * const tokens = createTokenManager({ fetchToken: httpTokenFetcher({ url: "/api/convex-token" }) });
 * root.render(
 *   <ConvexProviderWithCustomJwt client={convex} manager={tokens}>
 *     <App />
 *   </ConvexProviderWithCustomJwt>,
 * );
 */
export function ConvexProviderWithCustomJwt({
  client,
  manager,
  authRefreshTokenLeewaySeconds,
  initialToken,
  children,
}: ConvexProviderWithCustomJwtProps): ReactNode {
  const where = "ConvexProviderWithCustomJwt";
  classifyClient(client, where);
  assertTokenSource(manager, where);
  leewayMsOf(authRefreshTokenLeewaySeconds, where);
  // One bridge per client and manager: a new pair must never replay the old pair's confirmation.
  // biome-ignore lint/correctness/useExhaustiveDependencies: client and manager key the bridge (see above)
  const bridge = useMemo<Bridge>(() => ({ onChange: null, confirmed: false }), [client, manager]);
  // ConvexProviderWithAuth calls setAuth/clearAuth on this stand-in, never on the client: the connection
  // below owns the client's auth, and tells ConvexProviderWithAuth what Convex confirmed.
  const stand = useMemo(
    () => ({
      setAuth(_fetchToken: unknown, onChange: (isAuthenticated: boolean) => void) {
        bridge.onChange = onChange;
        if (bridge.confirmed) onChange(true);
      },
      clearAuth() {
        bridge.onChange = null;
      },
    }),
    [bridge],
  );
  // The manager and options for useProviderAuth, and the server's token for the hooks below that watch it.
  const source = useMemo(
    () => ({ manager, options: { authRefreshTokenLeewaySeconds, initialToken } }),
    [manager, authRefreshTokenLeewaySeconds, initialToken],
  );

  return createElement(
    ProviderSource.Provider,
    { value: source },
    createElement(
      ConvexProviderWithAuth,
      { client: stand as never, useAuth: useProviderAuth },
      createElement(ConnectClient, { client, manager, bridge, authRefreshTokenLeewaySeconds, initialToken }),
      createElement(ConvexProvider, { client }, children),
    ),
  );
}
