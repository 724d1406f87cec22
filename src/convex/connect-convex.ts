/**
 * `connectConvex`: keep any Convex client authenticated with a TokenManager's tokens.
 *
 * @module
 */
import { type ClientKind, classifyClient } from "./client-kind";
import type { Connection } from "./connection";
import { type ConvexTokenFetcherOptions, fetcherFor } from "./convex-token-fetcher";
import { HttpConnection } from "./http-connection";
import { SocketConnection } from "./socket-connection";
import type { ConvexClientLike, TokenSource } from "./types";
import { assertTokenSource, onChangeOf } from "./validate";

/** Options of {@link connectConvex}. */
export interface ConnectConvexOptions extends ConvexTokenFetcherOptions {
  /** Convex's `onChange(isAuthenticated)`: called on every confirmation (idempotent), and on sign-out. */
  onChange?: (isAuthenticated: boolean) => void;
}

/**
 * The registry: the live connection of each client, keyed by the object `setAuth` is called on. One at a
 * time: a new connection closes the one it replaces.
 */
const connections = new WeakMap<object, Connection>();

/**
 * Connect a Convex client to a token manager; returns `disconnect()`.
 *
 * - `ConvexClient`, `ConvexReactClient`, `BaseConvexClient`: authenticated with one fetch and one
 *   `Authenticate` at start; re-authenticated on every rotation of the manager (one fetch, one
 *   `Authenticate`), after a server rejection (one fresh token, on every supported convex version), after
 *   an outage (the token is pushed the moment the manager has it), and signed out (`Authenticate` with no
 *   token) on `manager.signOut()`. Convex is answered according to how it asked: at its scheduled refetch
 *   (its socket runs on the token it holds) the answer waits for the manager and is never `null` while the
 *   manager still tries; at its start and after a rejection (its socket waits) it waits at most the manager's
 *   `fetchTimeoutMs`, then gets the valid token the manager holds, or `null` so public queries run.
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
  const where = "connectConvex";
  const target = classifyClient(client, where);
  assertTokenSource(manager, where);
  const onChange = onChangeOf(options.onChange, where);
  if (target.kind === "disabled") return () => {}; // a ConvexClient created `disabled`: nothing to connect
  const open = prepareConnection(target, manager, options, onChange);

  connections.get(target.client)?.close(manager);
  const connection = open();
  connections.set(target.client, connection);
  return () => {
    // Already disconnected, or replaced by a newer connection (a stale React cleanup): nothing to undo.
    if (connections.get(target.client) !== connection) return;
    connections.delete(target.client);
    connection.close();
  };
}

/**
 * Check the options and return how to open the connection. It runs before the old connection is closed,
 * so a bad option throws with the old connection still whole.
 */
function prepareConnection(
  target: Exclude<ClientKind, { kind: "disabled" }>,
  manager: TokenSource,
  options: ConnectConvexOptions,
  onChange: (isAuthenticated: boolean) => void,
): () => Connection {
  switch (target.kind) {
    case "socket": {
      const fetcher = fetcherFor(manager, options, "connectConvex");
      return () => new SocketConnection(target.client, manager, fetcher, onChange);
    }
    case "http":
      return () => new HttpConnection(target.client, manager);
  }
}
