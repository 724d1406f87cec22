/**
 * `classifyClient`: which kind of Convex client `connectConvex` was given, and the object it drives.
 *
 * @module
 */
import type { HttpAuthClient, SocketAuthClient } from "./types";
import { describeValue, fail, hasMethods } from "./validate";

/**
 * The client `connectConvex` drives, by kind:
 * - `socket`: a `BaseConvexClient` or `ConvexReactClient` (for a `ConvexClient`, the `BaseConvexClient` it
 *   wraps): authenticated with `setAuth(fetcher)`;
 * - `http`: a `ConvexHttpClient`: its request methods are wrapped to carry a fresh token;
 * - `disabled`: a `ConvexClient` created with `disabled: true`: nothing to connect.
 */
export type ClientKind =
  | { readonly kind: "socket"; readonly client: SocketAuthClient }
  | { readonly kind: "http"; readonly client: HttpAuthClient }
  | { readonly kind: "disabled" };

const CLIENTS =
  "a Convex client: a ConvexClient (convex/browser), a ConvexReactClient (convex/react), " +
  "a ConvexHttpClient (convex/browser) or a BaseConvexClient";

/** Tell which Convex client this is, or throw a `TypeError` naming the accepted clients. */
export function classifyClient(client: unknown, where: string): ClientKind {
  if (hasMethods(client, ["setAuth", "clearAuth"])) {
    return hasMethods(client, ["backendUrl"])
      ? { kind: "http", client: client as HttpAuthClient }
      : { kind: "socket", client: client as SocketAuthClient };
  }
  if (hasMethods(client, ["setAuth"])) {
    const wrapping = client as { readonly disabled?: boolean; readonly client?: unknown };
    if (wrapping.disabled) return { kind: "disabled" };
    let inner: unknown;
    try {
      inner = wrapping.client; // ConvexClient's getter throws when it was created `disabled`
    } catch {
      inner = undefined;
    }
    if (hasMethods(inner, ["setAuth", "clearAuth"])) return { kind: "socket", client: inner as SocketAuthClient };
  }
  return fail(
    where,
    "client",
    CLIENTS,
    describeClient(client),
    "Pass the client your app created, e.g. `new ConvexClient(url)`.",
  );
}

/** What a value that is not a Convex client lacks. */
function describeClient(value: unknown): string {
  if (hasMethods(value, ["setAuth"])) return "an object with setAuth() but no clearAuth()";
  if (typeof value === "object" && value !== null) return "an object without setAuth()";
  return describeValue(value);
}
