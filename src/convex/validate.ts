/**
 * Argument checks of the Convex adapter: they run before anything is registered, so a wrong call leaves
 * no listener behind, and they say what is accepted. (Kept terse: this entry's budget is 1 KB.)
 *
 * @module
 */
import type { HttpAuthClient, SocketAuthClient, TokenSource } from "./types";

/**
 * The client `connectConvex` drives, and whether it is a `ConvexHttpClient`; no client for a
 * `ConvexClient` created `disabled`.
 */
export type ClientKind = [client?: HttpAuthClient | SocketAuthClient, http?: boolean];

const has = (value: any, ...keys: string[]): boolean => keys.every((key) => typeof value?.[key] == "function");

/** The one message builder, worded as the core's: `api: \`name\` must be what; got <a number, or a type>.` */
export const fail = (api: string, name: string, what: string, value: unknown): never => {
  throw new TypeError(
    `${api}: \`${name}\` must be ${what}; got ${value == null || typeof value == "number" ? value : typeof value}.`,
  );
};

/** Tell which Convex client this is, or throw a `TypeError` naming the accepted clients. */
export function classifyClient(client: any): ClientKind {
  let inner: unknown;
  if (has(client, "setAuth")) {
    if (has(client, "clearAuth")) return [client, has(client, "backendUrl")];
    // ConvexClient (convex/browser) wraps a BaseConvexClient; its `client` getter throws when `disabled`.
    if (client.disabled) return [];
    try {
      inner = client.client;
    } catch {}
  }
  return has(inner, "setAuth", "clearAuth")
    ? [inner as SocketAuthClient]
    : fail(
        "connectConvex",
        "client",
        "a ConvexClient, ConvexReactClient, ConvexHttpClient or BaseConvexClient",
        client,
      );
}

/** Throw a `TypeError` unless `manager` has what the adapter uses of a token manager. */
export function assertTokenSource(manager: unknown, api: string): asserts manager is TokenSource {
  if (!has(manager, "getToken", "peekToken", "getSnapshot", "subscribe", "on", "off")) {
    fail(api, "manager", "a token manager (createTokenManager())", manager);
  }
}
