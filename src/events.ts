/**
 * Event payload types of the TokenManager. None of them ever carries a whole token.
 *
 * @module
 */
import type { TokenWarningCode } from "./errors";
import type { FetchReason, TokenSnapshot } from "./types";

/** Payload of the `token` event. Never the token itself: call `getToken()`. */
export interface TokenEvent {
  reason: FetchReason;
  /** Local expiry (epoch ms, skew-corrected). */
  expiresAt: number;
  /** When the next refresh is planned (epoch ms). */
  refreshAt: number;
  subject: string | null;
  issuer: string | null;
  /** `…` plus the token's last 6 characters. */
  tokenHint: string;
}

/** Payload of the `refreshing` event: a fetcher call starts. */
export interface RefreshingEvent {
  reason: FetchReason;
  attempt: number;
}

/** Payload of the `error` event: a fetcher call failed. */
export interface FetchErrorEvent {
  error: unknown;
  attempt: number;
  /** When the next try happens (epoch ms). The manager always tries again, at the capped delay at most. */
  retryAt: number;
  /** True once the policy's attempts are used up: callers without a valid token now get a `TokenFetchError`. */
  exhausted: boolean;
  /** Whether a still-valid token is being served meanwhile. */
  servingToken: boolean;
}

/** Payload of the `warning` event. */
export interface WarningEvent {
  code: TokenWarningCode;
  message: string;
}

/** Payload of the `signedOut` event. */
export interface SignedOutEvent {
  /** `"signOut"`: the app called `signOut()`; `"fetcher"`: the fetcher returned `null`. */
  reason: "signOut" | "fetcher";
}

/** Payload of the `discarded` event: a fetch result arrived after `signOut()`/`dispose()`/timeout and was dropped. */
export interface DiscardedEvent {
  outcome: "token" | "null" | "error";
}

/** Every event and its listener. */
export interface TokenManagerEvents {
  token: (event: TokenEvent) => void;
  refreshing: (event: RefreshingEvent) => void;
  error: (event: FetchErrorEvent) => void;
  warning: (event: WarningEvent) => void;
  signedOut: (event: SignedOutEvent) => void;
  discarded: (event: DiscardedEvent) => void;
  state: (snapshot: TokenSnapshot) => void;
}
