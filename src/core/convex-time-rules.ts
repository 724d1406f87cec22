/**
 * The Convex backend's and client's time rules that this package applies on both sides: the core checks
 * tokens early with them, and `diagnoseToken` and the local deployment reproduce the backend with them.
 *
 * @module
 */

/**
 * The leeway the Convex backend allows on `exp`, `nbf` and `iat` when it validates a token at `Authenticate`
 * (biscuit's temporal epsilon), in ms. Mid-session, an identity expires with no leeway.
 */
export const BACKEND_LEEWAY_MS = 5_000;

/**
 * Convex's client default `authRefreshTokenLeewaySeconds`: it refetches a token this long before `exp`
 * (counted from the moment the server confirmed it), in seconds.
 */
export const CONVEX_CLIENT_REFRESH_LEEWAY_SECONDS = 10;
