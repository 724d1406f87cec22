/**
 * Argument checks of the Convex adapter: they run before anything is registered, so a wrong call leaves
 * no listener behind, and they say what is accepted.
 *
 * @module
 */
import type { HttpAuthClient, SocketAuthClient, TokenSource, WrappingSocketClient } from "./types";

/** How `connectConvex` drives a client. */
export type ClientKind =
  | { readonly kind: "http"; readonly client: HttpAuthClient }
  | { readonly kind: "socket"; readonly target: SocketAuthClient }
  | { readonly kind: "disabled" };

const ACCEPTED =
  "a ConvexClient (convex/browser), a ConvexReactClient (convex/react), a BaseConvexClient or a ConvexHttpClient";

/** A short, token-free description of a value for an error message. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object" && typeof value !== "function") return typeof value;
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return typeof name === "string" && name !== "" && name !== "Object" ? `an instance of ${name}` : `an object`;
}

function isFunction(value: unknown, key: string): boolean {
  return typeof (value as Record<string, unknown>)[key] === "function";
}

function clientError(api: string, client: unknown, detail = ""): TypeError {
  return new TypeError(`${api}: \`client\` must be ${ACCEPTED} from the \`convex\` package (1.21 or later); got ${describe(client)}${detail}.`);
}

/** Tell which Convex client this is, or throw a `TypeError` naming the accepted clients. */
export function classifyClient(client: unknown, api = "connectConvex"): ClientKind {
  if (client === null || (typeof client !== "object" && typeof client !== "function")) throw clientError(api, client);
  if (!isFunction(client, "setAuth")) throw clientError(api, client, " with no setAuth() method");
  if (isFunction(client, "backendUrl")) {
    if (!isFunction(client, "clearAuth")) throw clientError(api, client, " with no clearAuth() method");
    return { kind: "http", client: client as HttpAuthClient };
  }
  if (isFunction(client, "clearAuth")) return { kind: "socket", target: client as SocketAuthClient };
  // ConvexClient (convex/browser): its `client` getter throws when it was created `disabled`.
  if ((client as WrappingSocketClient).disabled === true) return { kind: "disabled" };
  let inner: unknown;
  try {
    inner = (client as WrappingSocketClient).client;
  } catch {
    inner = undefined;
  }
  if (inner !== null && typeof inner === "object" && isFunction(inner, "setAuth") && isFunction(inner, "clearAuth")) {
    return { kind: "socket", target: inner as SocketAuthClient };
  }
  throw clientError(api, client, " with no clearAuth() method and no `client` to sign out");
}

const SOURCE_METHODS = ["getToken", "peekToken", "getSnapshot", "subscribe", "on", "off"] as const;

/** Throw a `TypeError` unless `manager` has what the adapter uses of a token manager. */
export function assertTokenSource(manager: unknown, api: string): asserts manager is TokenSource {
  const missing =
    manager === null || (typeof manager !== "object" && typeof manager !== "function")
      ? undefined
      : SOURCE_METHODS.filter((name) => !isFunction(manager, name));
  if (missing === undefined || missing.length > 0) {
    const detail = missing === undefined ? "" : ` with no ${missing.map((m) => `${m}()`).join(", ")}`;
    throw new TypeError(
      `${api}: \`manager\` must be a token manager from createTokenManager() (or any TokenSource); got ${describe(manager)}${detail}.`,
    );
  }
}
