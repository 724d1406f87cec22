/**
 * `connectConvex`: keep any Convex client authenticated with a TokenManager's tokens.
 *
 * @module
 */
import { connectHttpClient } from "./connect-http-client";
import { convexTokenFetcher, type ConvexTokenFetcherOptions } from "./convex-token-fetcher";
import type { ConvexClientLike, SocketAuthClient, TokenSource } from "./types";
import { assertTokenSource, classifyClient } from "./validate";

/** Options of {@link connectConvex}. */
export interface ConnectConvexOptions extends ConvexTokenFetcherOptions {
  /** Convex's `onChange(isAuthenticated)`: called on every confirmation (idempotent), and on sign-out. */
  onChange?: (isAuthenticated: boolean) => void;
}

/** The live connection of each client: one at a time (a new one replaces the old one). */
interface Connection {
  readonly manager: TokenSource;
  /** Remove this connection's listeners and wrappers; `signOut` also leaves the client with no auth. */
  readonly close: (signOut: boolean) => void;
}
const connections = new WeakMap<object, Connection>();

/**
 * Connect a Convex client to a token manager; returns `disconnect()`.
 *
 * - `ConvexClient`, `ConvexReactClient`, `BaseConvexClient`: authenticated with one fetch and one
 *   `Authenticate` at start; re-authenticated on every rotation of the manager (one fetch, one
 *   `Authenticate`), after a server rejection (one fresh token, on every supported convex version), after
 *   an outage (once the manager has a token again), and signed out (`Authenticate` with no token) on
 *   `manager.signOut()`. During an outage the client keeps the still-valid token it holds: it is never
 *   signed out while the manager holds a valid token, and never waits longer than about `answerWithinMs`.
 * - `ConvexHttpClient`: every `query`, `mutation`, `action` (and `function`, `consistentQuery`) is sent with
 *   a token valid for at least the manager's `minValidityMs`; an auth rejection (HTTP 401) triggers one
 *   forced refresh and one retry. A call made while the manager cannot get a token rejects with its error
 *   instead of going out unauthenticated.
 *
 * **One connection per client.** Connecting a client that is already connected replaces the old connection
 * cleanly: its listeners (and, for `ConvexHttpClient`, its method wrappers) are removed first, and with a
 * different manager the client is signed out before the new manager's token arrives, so a rotation of the
 * old manager can never put its user's token back. The old `disconnect()` then does nothing.
 *
 * **`disconnect()`** signs the client out (no auth, no pending refetch) and undoes only its own connection:
 * it is idempotent, and a stale one (called after the client was connected again, as React effect cleanups
 * are) does nothing.
 *
 * Throws a `TypeError` (before registering anything) when `client` is not a Convex client or `manager` is
 * not a token manager. A `ConvexClient` created with `disabled: true` is left alone.
 *
 * @example
 * import { ConvexClient } from "convex/browser";
 * import { createTokenManager, httpTokenFetcher } from "convex-custom-jwt";
 * import { connectConvex } from "convex-custom-jwt/convex";
 *
 * const tokens = createTokenManager({ fetchToken: httpTokenFetcher({ url: "/api/convex-token" }) });
 * const convex = new ConvexClient("https://happy-otter-123.convex.cloud");
 * const disconnect = connectConvex(convex, tokens);
 */
export function connectConvex(client: ConvexClientLike, manager: TokenSource, options: ConnectConvexOptions = {}): () => void {
  const { http, socket } = classifyClient(client);
  assertTokenSource(manager, "connectConvex");
  if (options.onChange !== undefined && typeof options.onChange != "function") {
    throw new TypeError("connectConvex: `onChange` must be a function.");
  }
  const key = http ?? socket;
  if (!key) return () => {}; // a ConvexClient created `disabled`
  // Built before the old connection is closed: a bad option throws with the old connection still whole.
  const open = http ? () => connectHttpClient(http, manager) : socketConnection(socket!, manager, options);

  const previous = connections.get(key);
  if (previous) {
    previous.close(false);
    // A different user's token must not stay on the client while the new manager fetches its own.
    if (previous.manager !== manager) key.clearAuth();
  }
  const connection: Connection = { manager, close: open() };
  connections.set(key, connection);
  return () => {
    if (connections.get(key) !== connection) return; // already disconnected, or replaced by a newer connection
    connections.delete(key);
    connection.close(true);
  };
}

/** Prepare a socket client's connection; the returned function opens it and returns its `close`. */
function socketConnection(target: SocketAuthClient, manager: TokenSource, options: ConnectConvexOptions) {
  const fetcher = convexTokenFetcher(manager, options);
  const onChange = options.onChange ?? (() => {});
  return () => {
    const authenticate = () => target.setAuth(fetcher, onChange, fetcher.onRefreshChange);
    const onToken = () => {
      // Push the rotation, unless Convex is already waiting on the fetcher (it will be handed the token).
      if (!fetcher.busy && manager.peekToken() !== fetcher.held) authenticate();
    };
    const onSignedOut = () => {
      target.clearAuth(); // sends Authenticate with no token at once
      authenticate(); // replaces Convex's scheduled refetch with one that finds the manager signed out
    };
    manager.on("token", onToken);
    manager.on("signedOut", onSignedOut);
    authenticate();
    let closed = false;
    return (signOut: boolean) => {
      if (closed) return;
      closed = true;
      manager.off("token", onToken);
      manager.off("signedOut", onSignedOut);
      if (!signOut) return; // replaced: the new connection calls setAuth at once
      target.clearAuth();
      target.setAuth(async () => null, () => {});
    };
  };
}
