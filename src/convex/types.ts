/**
 * Structural types for the Convex clients, so this entry imports nothing from `convex` at run time
 * (it works with any convex 1.x whose clients have these methods).
 *
 * @module
 */

/** Convex's `AuthTokenFetcher` (convex/browser). */
export type AuthTokenFetcher = (args: { forceRefreshToken: boolean }) => Promise<string | null | undefined>;

/** `BaseConvexClient` and `ConvexReactClient`: a socket client with `setAuth(fetcher, …)` and `clearAuth()`. */
export interface SocketAuthClient {
  setAuth(
    fetchToken: AuthTokenFetcher,
    onChange?: (isAuthenticated: boolean) => void,
    onRefreshChange?: (isRefreshing: boolean) => void,
  ): void;
  clearAuth(): void;
}

/** `ConvexClient` from `convex/browser`: it wraps a `BaseConvexClient` reachable as `.client`. */
export interface WrappingSocketClient {
  setAuth(fetchToken: AuthTokenFetcher, onChange?: (isAuthenticated: boolean) => void): void;
  readonly client: SocketAuthClient;
  readonly disabled?: boolean;
}

/**
 * `ConvexHttpClient`: a static token per request, no refresh of its own. Its request methods are generic
 * over Convex's function references; only their existence matters here (`never[]` parameters accept every
 * signature).
 */
export interface HttpAuthClient {
  setAuth(token: string): void;
  clearAuth(): void;
  backendUrl(): string;
  query(...args: never[]): Promise<unknown>;
  mutation(...args: never[]): Promise<unknown>;
  action(...args: never[]): Promise<unknown>;
}

/** Any Convex client `connectConvex` accepts. */
export type ConvexClientLike = SocketAuthClient | WrappingSocketClient | HttpAuthClient;

/** What the adapters need of a token manager: the core's structural `TokenSource` (a fake satisfies it). */
export type { TokenSource } from "../core/token-source";
