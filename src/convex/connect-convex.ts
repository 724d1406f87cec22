/**
 * `connectConvex`: keep any Convex client authenticated with a TokenManager's tokens.
 *
 * @module
 */
import { connectHttpClient, type Listen } from "./connect-http-client";
import { classifyClient } from "./client-kind";
import { type ConvexTokenFetcherOptions, fetcherFor } from "./convex-token-fetcher";
import type { ConvexClientLike, HttpAuthClient, SocketAuthClient, TokenSource } from "./types";
import { assertTokenSource, onChangeOf } from "./validate";

/** Options of {@link connectConvex}. */
export interface ConnectConvexOptions extends ConvexTokenFetcherOptions {
  /** Convex's `onChange(isAuthenticated)`: called on every confirmation (idempotent), and on sign-out. */
  onChange?: (isAuthenticated: boolean) => void;
}

/**
 * The live connection of each client: one at a time. Its `close(next)` removes the connection's listeners
 * and wrappers (once); `next` is the manager of the connection replacing it (none: `disconnect()`).
 */
const connections = new WeakMap<object, (next?: TokenSource) => void>();

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
export function connectConvex(
  client: ConvexClientLike,
  manager: TokenSource,
  options: ConnectConvexOptions = {},
): () => void {
  const kind = classifyClient(client, "connectConvex");
  assertTokenSource(manager, "connectConvex");
  const onChange = onChangeOf(options.onChange, "connectConvex");
  if (kind.kind === "disabled") return () => {}; // a ConvexClient created `disabled`
  const target = kind.client;
  const http = kind.kind === "http";
  // Built before the old connection is closed: a bad option throws with the old connection still whole.
  const fetcher = !http && fetcherFor(manager, options, "connectConvex");

  connections.get(target)?.(manager); // closes the old connection

  /** What closing this connection undoes: its listeners, and the HTTP client's method wrappers. */
  const undo: (() => void)[] = [];
  const listen: Listen = (event, listener) => {
    manager.on(event, listener);
    undo.push(() => manager.off(event, listener));
  };
  if (fetcher) {
    const authenticate = () => (target as SocketAuthClient).setAuth(fetcher, onChange, fetcher.onRefreshChange);
    listen("token", () => {
      // Push the rotation, unless Convex is already waiting on the fetcher (it will be handed the token).
      if (!fetcher.busy && manager.peekToken() !== fetcher.held) authenticate();
    });
    listen("signedOut", () => {
      target.clearAuth(); // sends Authenticate with no token at once
      authenticate(); // replaces Convex's scheduled refetch with one that finds the manager signed out
    });
    authenticate();
  } else {
    connectHttpClient(target as HttpAuthClient & Record<string, unknown>, manager, undo, listen);
  }
  const close = (next?: TokenSource) => {
    // Once: emptied by the first close (it always holds the listeners' removal).
    if (undo[0]) {
      for (const step of undo.splice(0)) step();
      // Replaced, a socket client keeps its auth: the new connection calls setAuth at once. Disconnected,
      // no pending refetch may sign it back in.
      if (http) target.clearAuth();
      else if (!next) {
        target.clearAuth();
        (target as SocketAuthClient).setAuth(
          async () => null,
          () => {},
        );
      }
    }
    // A different user's token must not stay on the client while the new manager fetches its own.
    if (next && next !== manager) target.clearAuth();
  };
  connections.set(target, close);
  return () => {
    if (connections.get(target) !== close) return; // already disconnected, or replaced by a newer connection
    connections.delete(target);
    close();
  };
}
