/**
 * convex-custom-jwt: keep a custom JWT fresh for Convex.
 *
 * @example
 * import { createTokenManager } from "convex-custom-jwt";
 * const tokens = createTokenManager({ fetchToken: async ({ signal }) => fetchMyToken(signal) });
 *
 * @module
 */
export { createTokenManager } from "./browser/create-token-manager";
export { appStateSignal } from "./browser/app-state-signal";
export { TokenManager } from "./core/token-manager";
export {
  TokenManagerError,
  TokenFetchError,
  TokenFetchTimeoutError,
  TokenEndpointError,
  InvalidTokenError,
  TokenManagerDisposedError,
  isTokenManagerError,
} from "./core/errors";
export { httpTokenFetcher } from "./fetchers/http";
export { clientCredentialsFetcher } from "./fetchers/client-credentials";
export { OAuthTokenError } from "./fetchers/oauth-token-error";
export { sdkTokenFetcher } from "./fetchers/sdk-token-fetcher";
export { isKnownSignedOutError } from "./fetchers/known-signed-out-error";
export { isRetryable, backoffDelay, parseRetryAfter } from "./core/retry";
export { planRefresh } from "./core/schedule";
export { normalizeIssuer } from "./core/issuer";
export { systemClock } from "./core/clock";

export type { TokenManagerOptions } from "./core/token-manager";
export type { CreateTokenManagerOptions } from "./browser/create-token-manager";
export type { SignalSource } from "./browser/signal-source";
export type { AppStateLike } from "./browser/app-state-signal";
export type {
  TokenManagerEvents,
  TokenEvent,
  RefreshingEvent,
  FetchErrorEvent,
  WarningEvent,
  SignedOutEvent,
  DiscardedEvent,
} from "./core/events";
export type { AnyTokenManagerError, TokenErrorCode, InvalidTokenCode } from "./core/errors";
export type { TokenWarningCode } from "./core/warnings";
export type {
  FetchContext,
  FetchReason,
  GetTokenOptions,
  Logger,
  OutsideSignal,
  TokenFetcher,
  TokenSnapshot,
  TokenStatus,
} from "./core/types";
export type { TokenSource } from "./core/token-source";
export type { RetryPolicy } from "./core/retry";
export type { RefreshPlan, TokenTimes } from "./core/schedule";
export type { ExpectedClaims } from "./core/jwt";
export type { HttpTokenFetcherOptions } from "./fetchers/http";
export type { ClientCredentialsFetcherOptions } from "./fetchers/client-credentials";
export type { SdkTokenFetcherOptions, SdkTokenRequest } from "./fetchers/sdk-token-fetcher";
export type { Clock } from "./core/clock";
