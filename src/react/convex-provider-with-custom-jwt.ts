/**
 * `ConvexProviderWithCustomJwt`: the one-line React setup, built on `connectConvex`.
 *
 * @module
 */
import { createElement, useEffect, useMemo, useRef, type ReactNode } from "react";
import { ConvexProvider, ConvexProviderWithAuth, type ConvexReactClient } from "convex/react";
import { connectConvex } from "../convex/connect-convex";
import type { TokenSource } from "../core/token-source";
import { InitialTokenContext } from "./initial-token-context";
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

/** Where Convex's answers go: `ConvexProviderWithAuth`'s `onChange`, and the last answer for replay. */
interface Bridge {
  onChange: ((isAuthenticated: boolean) => void) | null;
  confirmed: boolean;
}

/** One live `connectConvex`, kept across StrictMode's simulated unmount (released a microtask later). */
interface Connection {
  readonly client: ConvexReactClient;
  readonly manager: TokenSource;
  readonly leeway: number | undefined;
  readonly disconnect: () => void;
  /** Its effect was cleaned up: released a microtask later unless the same effect runs again. */
  releasing: boolean;
  done: boolean;
}

/** Undo a connection once (a released one may be released again by its deferred cleanup). */
function release(connection: Connection): void {
  if (connection.done) return;
  connection.done = true;
  try {
    connection.disconnect();
  } catch {
    // The app closed the client in the same task as the unmount: it has no auth left to undo.
  }
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
  const useAuth = useMemo(() => {
    const options = { authRefreshTokenLeewaySeconds };
    return function useCustomJwtAuth() {
      const { isLoading, isAuthenticated, fetchAccessToken } = useConvexCustomJwt(manager, options);
      return { isLoading, isAuthenticated, fetchAccessToken };
    };
  }, [manager, authRefreshTokenLeewaySeconds]);
  const scope = useMemo(() => ({ manager, initialToken }), [manager, initialToken]);

  return createElement(
    InitialTokenContext.Provider,
    { value: scope },
    createElement(
      ConvexProviderWithAuth,
      { client: stand as never, useAuth },
      createElement(Connect, { client, manager, bridge, authRefreshTokenLeewaySeconds, initialToken }),
      createElement(ConvexProvider, { client }, children),
    ),
  );
}

/**
 * Connects before the children's effects subscribe to queries (effects run in tree order), and before that
 * hands the server's token to an idle manager, so the connection starts from it.
 */
function Connect({
  client,
  manager,
  bridge,
  authRefreshTokenLeewaySeconds,
  initialToken,
}: {
  client: ConvexReactClient;
  manager: TokenSource;
  bridge: Bridge;
  authRefreshTokenLeewaySeconds: number | undefined;
  initialToken: string | null | undefined;
}): null {
  const live = useRef<Connection | null>(null);
  useEffect(() => {
    if (initialToken !== undefined && manager.getSnapshot().status === "idle") manager.hydrate?.(initialToken);
  }, [manager, initialToken]);
  useEffect(() => {
    let connection = live.current;
    const same =
      connection?.client === client &&
      connection.manager === manager &&
      connection.leeway === authRefreshTokenLeewaySeconds;
    if (connection && !connection.done && same) {
      connection.releasing = false; // StrictMode's re-mount: keep the connection, send nothing
    } else {
      if (connection) release(connection);
      const onChange = (isAuthenticated: boolean) => {
        bridge.confirmed = isAuthenticated;
        bridge.onChange?.(isAuthenticated);
      };
      const disconnect = connectConvex(client, manager, { onChange, authRefreshTokenLeewaySeconds });
      connection = live.current = {
        client,
        manager,
        leeway: authRefreshTokenLeewaySeconds,
        disconnect,
        releasing: false,
        done: false,
      };
    }
    const mine = connection;
    return () => {
      mine.releasing = true;
      queueMicrotask(() => {
        if (mine.releasing) release(mine);
      });
    };
  }, [client, manager, bridge, authRefreshTokenLeewaySeconds]);
  return null;
}
