/**
 * Argument checks of the Convex adapter: they run before anything is registered, so a wrong call leaves
 * no listener behind, and they say what is accepted. (Kept terse: this entry's budget is 1 KB.)
 *
 * @module
 */
import type { HttpAuthClient, SocketAuthClient, TokenSource, WrappingSocketClient } from "./types";

/** How `connectConvex` drives a client: an HTTP client, a socket client to call `setAuth` on, or nothing. */
export type ClientKind = { readonly http?: HttpAuthClient; readonly socket?: SocketAuthClient };

const has = (value: any, ...keys: string[]): boolean => value != null && keys.every((key) => typeof value[key] == "function");

const typeError = (api: string, what: string, value: unknown) =>
  new TypeError(`${api}: \`${what}\` must be ${what == "client"
    ? "a ConvexClient, ConvexReactClient, BaseConvexClient or ConvexHttpClient from `convex`"
    : "a token manager from createTokenManager() (a TokenSource)"}; got ${value === null ? "null" : typeof value}.`);

/** Tell which Convex client this is, or throw a `TypeError` naming the accepted clients. */
export function classifyClient(client: any): ClientKind {
  if (has(client, "setAuth", "clearAuth")) return has(client, "backendUrl") ? { http: client } : { socket: client };
  // ConvexClient (convex/browser) wraps a BaseConvexClient; its `client` getter throws when `disabled`.
  if (has(client, "setAuth") && (client as WrappingSocketClient).disabled) return {};
  let inner: unknown;
  try {
    inner = has(client, "setAuth") && (client as WrappingSocketClient).client;
  } catch {}
  if (has(inner, "setAuth", "clearAuth")) return { socket: inner as SocketAuthClient };
  throw typeError("connectConvex", "client", client);
}

/** Throw a `TypeError` unless `manager` has what the adapter uses of a token manager. */
export function assertTokenSource(manager: unknown, api: string): asserts manager is TokenSource {
  if (!has(manager, "getToken", "peekToken", "getSnapshot", "subscribe", "on", "off")) throw typeError(api, "manager", manager);
}

/** Throw a `TypeError` naming `name` unless `value` is a number >= `min` (> `min` when `strict`). */
export function assertNumber(api: string, name: string, value: number, min: number, strict?: boolean): number {
  if (!(strict ? value > min : value >= min)) throw new TypeError(`${api}: \`${name}\` must be a number ${strict ? ">" : ">="} ${min}.`);
  return value;
}
