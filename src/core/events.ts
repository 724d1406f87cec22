/**
 * Event payload types of the TokenManager (emitted by its `Reporter`), and the `token` event's builder. No
 * payload ever carries a whole token.
 *
 * @module
 */
import type { Timeline } from "./clock";
import { tokenHint } from "./errors";
import type { Held } from "./state";
import type { FetchReason, TokenSnapshot } from "./types";
import type { TokenWarningCode } from "./warnings";

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

/** The `token` event for `held`, fetched for `reason`: its times on the wall clock, a hint of the token. */
export function tokenEvent(reason: FetchReason, held: Held, time: Timeline): TokenEvent {
  return {
    reason,
    expiresAt: time.toWall(held.expiresAt),
    refreshAt: time.toWall(held.refreshAt),
    subject: held.sub,
    issuer: held.iss,
    tokenHint: tokenHint(held.raw),
  };
}

/**
 * Payload of the `refreshing` event: a fetch starts. Its fetcher call is made at once, or, when the previous
 * call ignored its aborted `signal` and has not settled, once that one settles (up to its deadline).
 */
export interface RefreshingEvent {
  reason: FetchReason;
  attempt: number;
}

/** Payload of the `error` event: a fetcher call failed. */
export interface FetchErrorEvent {
  error: unknown;
  attempt: number;
  /**
   * When the next try happens (epoch ms): at the capped delay at most (1 hour for a `Retry-After`), or
   * `Infinity` while offline (the next try waits for `notify("online")`).
   */
  retryAt: number;
  /**
   * True once callers without a valid token get the error at once: the policy's attempts are used up, the
   * failure is not retryable, the manager is offline, or the next try is further away than a caller waits
   * (`retry.maxDelayMs` or one `fetchTimeoutMs`, whichever is longer: a long `Retry-After`). A caller who asks
   * later, once that try falls due within the wait, waits for it.
   */
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
