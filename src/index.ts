/**
 * convex-custom-jwt: keep a custom JWT fresh for Convex.
 *
 * @example
 * import { createTokenManager } from "convex-custom-jwt";
 * const tokens = createTokenManager({ fetchToken: async ({ signal }) => fetchMyToken(signal) });
 *
 * @module
 */
export { createTokenManager } from "./create-token-manager";
export { TokenManager } from "./token-manager";
export {
  TokenManagerError,
  TokenFetchError,
  TokenFetchTimeoutError,
  TokenEndpointError,
  InvalidTokenError,
  TokenManagerDisposedError,
} from "./errors";
export { httpTokenFetcher } from "./fetchers/http";
export { isRetryable, backoffDelay, parseRetryAfter } from "./retry";
export { planRefresh } from "./schedule";
export { normalizeIssuer } from "./jwt";
export { systemClock } from "./clock";

export type { TokenManagerOptions } from "./token-manager";
export type { CreateTokenManagerOptions } from "./create-token-manager";
export type { SignalSource } from "./browser/signal-source";
export type {
  TokenManagerEvents,
  TokenEvent,
  RefreshingEvent,
  FetchErrorEvent,
  WarningEvent,
  SignedOutEvent,
  DiscardedEvent,
} from "./events";
export type { TokenErrorCode, TokenWarningCode, InvalidTokenCode } from "./errors";
export type {
  FetchContext,
  FetchReason,
  GetTokenOptions,
  Logger,
  OutsideSignal,
  TokenFetcher,
  TokenSnapshot,
  TokenSource,
  TokenStatus,
} from "./types";
export type { RetryPolicy } from "./retry";
export type { RefreshPlan, TokenTimes } from "./schedule";
export type { ExpectedClaims } from "./jwt";
export type { HttpTokenFetcherOptions } from "./fetchers/http";
export type { Clock } from "./clock";
