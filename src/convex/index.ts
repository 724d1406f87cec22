/**
 * `convex-custom-jwt/convex`: connect a TokenManager to Convex's clients.
 *
 * @example
 * import { connectConvex } from "convex-custom-jwt/convex";
 * const disconnect = connectConvex(new ConvexClient(url), tokens);
 *
 * @module
 */
export { connectConvex } from "./connect-convex";
export { convexTokenFetcher } from "./convex-token-fetcher";

export type { ConnectConvexOptions } from "./connect-convex";
export type { ConvexTokenFetcher, ConvexTokenFetcherOptions } from "./convex-token-fetcher";
export type {
  AuthTokenFetcher,
  ConvexClientLike,
  HttpAuthClient,
  SocketAuthClient,
  WrappingSocketClient,
} from "./types";
