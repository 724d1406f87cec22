/**
 * `connectConvex`: keep any Convex client authenticated with a TokenManager's tokens.
 *
 * @module
 */
import { convexTokenFetcher, type ConvexTokenFetcherOptions } from "./convex-token-fetcher";
import type { ConvexClientLike, HttpAuthClient, SocketAuthClient, TokenSource, WrappingSocketClient } from "./types";

/** Options of {@link connectConvex}. */
export interface ConnectConvexOptions extends ConvexTokenFetcherOptions {
  /** Convex's `onChange(isAuthenticated)`: called on every confirmation (idempotent), and on sign-out. */
  onChange?: (isAuthenticated: boolean) => void;
}

/**
 * Connect a Convex client to a token manager; returns `disconnect()`, which signs the client out and
 * leaves it with no auth and no pending refetch, as it was before.
 *
 * - `ConvexClient`, `ConvexReactClient`, `BaseConvexClient`: authenticated with one fetch and one
 *   `Authenticate` at start; re-authenticated on every rotation of the manager (one fetch, one
 *   `Authenticate`), after a server rejection (one fresh token), after an outage (once the manager has a
 *   token again), and signed out (`Authenticate` with no token) on `manager.signOut()`.
 * - `ConvexHttpClient`: every `query`, `mutation`, `action` (and `function`, `consistentQuery`) is sent with
 *   a token valid for at least the manager's `minValidityMs`; an auth rejection (HTTP 401) triggers one
 *   forced refresh and one retry. A call made while the manager cannot get a token rejects with its error
 *   instead of going out unauthenticated.
 *
 * @example
 * const convex = new ConvexClient(process.env.CONVEX_URL!);
 * const disconnect = connectConvex(convex, tokens);
 */
export function connectConvex(client: ConvexClientLike, manager: TokenSource, options: ConnectConvexOptions = {}): () => void {
  if (typeof (client as HttpAuthClient).backendUrl === "function") return connectHttpClient(client as HttpAuthClient, manager);
  if ((client as WrappingSocketClient).disabled) return () => {};
  const target: SocketAuthClient =
    typeof (client as SocketAuthClient).clearAuth === "function"
      ? (client as SocketAuthClient)
      : (client as WrappingSocketClient).client;
  const fetcher = convexTokenFetcher(manager, options, true);
  const onChange = options.onChange ?? (() => {});
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
  return () => {
    manager.off("token", onToken);
    manager.off("signedOut", onSignedOut);
    target.clearAuth();
    target.setAuth(async () => null, () => {});
  };
}

const HTTP_METHODS = ["query", "consistentQuery", "mutation", "action", "function"] as const;

function connectHttpClient(client: HttpAuthClient, manager: TokenSource): () => void {
  const record = client as unknown as Record<string, unknown>;
  const own = new Map<string, unknown>();
  let current: string | null = null;
  const authorize = async (forceRefresh: boolean) => {
    const token = await manager.getToken(forceRefresh ? { forceRefresh } : undefined);
    if (token !== current) {
      current = token;
      if (token === null) client.clearAuth();
      else client.setAuth(token);
    }
  };
  for (const name of HTTP_METHODS) {
    const original = record[name];
    if (typeof original !== "function") continue;
    if (Object.prototype.hasOwnProperty.call(record, name)) own.set(name, original);
    record[name] = async (...args: unknown[]) => {
      await authorize(false);
      try {
        return await original.apply(client, args);
      } catch (error) {
        if (current === null || !isAuthRejection(error)) throw error;
        await authorize(true);
        return await original.apply(client, args);
      }
    };
  }
  const onSignedOut = () => {
    current = null;
    client.clearAuth();
  };
  manager.on("signedOut", onSignedOut);
  return () => {
    manager.off("signedOut", onSignedOut);
    for (const name of HTTP_METHODS) {
      if (own.has(name)) record[name] = own.get(name);
      else delete record[name];
    }
    client.clearAuth();
  };
}

/** ConvexHttpClient throws the backend's 401 body as the message: `{"code":"InvalidAuthHeader",…}`. */
function isAuthRejection(error: unknown): boolean {
  return error instanceof Error && /"code"\s*:\s*"(InvalidAuthHeader|Unauthenticated)"/.test(error.message);
}
