/** Shared public types of the core. */

/** Why the fetcher is being called. */
export type FetchReason = "initial" | "scheduled" | "forced" | "retry" | "focus" | "online" | "wake";

/** What the fetcher is given. */
export interface FetchContext {
  /** Aborted on `signOut()`, `dispose()` and on timeout: pass it to `fetch`. */
  signal: AbortSignal;
  /** Why this fetch happens. `"forced"` means the caller wants a newly minted token: bypass any cache. */
  reason: FetchReason;
  /** 1 for a first try, 2 for the first retry, and so on. */
  attempt: number;
}

/**
 * Gets a JWT from the app's own auth service.
 * - Resolve with the token (or `{ token }`).
 * - Resolve with `null` when the user is definitively signed out (no retry; the manager signs out).
 * - Throw (or reject) on failure: transient failures are retried with backoff (see `RetryPolicy`).
 */
export type TokenFetcher = (context: FetchContext) => Promise<string | null | { token: string }>;

/** The manager's lifecycle state. */
export type TokenStatus = "idle" | "fetching" | "valid" | "retrying" | "signedOut" | "disposed";

/**
 * An immutable picture of the manager, the same object until something changes (fit for React's
 * `useSyncExternalStore`). It never contains the token itself: call `getToken()` for that.
 */
export interface TokenSnapshot {
  readonly status: TokenStatus;
  /** True while a token is held that has not expired (it may be being refreshed). */
  readonly hasToken: boolean;
  /** Local time (epoch ms) the held token was issued (its `iat`, skew-corrected, else its receipt time). */
  readonly issuedAt: number | null;
  /** Local time (epoch ms) the held token expires, skew-corrected; null without a token. */
  readonly expiresAt: number | null;
  /** Local time (epoch ms) of the next planned fetch (refresh or retry); null when none is planned. */
  readonly nextFetchAt: number | null;
  /** `sub` of the held token. */
  readonly subject: string | null;
  /** `iss` of the held token. */
  readonly issuer: string | null;
  /** The last fetch failure since the last success; null when the last fetch succeeded. */
  readonly error: unknown;
  /** Consecutive failed fetches (0 after a success). */
  readonly failures: number;
  /** Estimated local clock offset against the issuer's, in ms (positive: local clock ahead). */
  readonly clockSkewMs: number;
}

/** Optional log sink. Lines never contain a whole token. */
export interface Logger {
  debug?(message: string): void;
  warn?(message: string): void;
  error?(message: string): void;
}

/** Options of {@link TokenManager.getToken}. */
export interface GetTokenOptions {
  /** Fetch a newly minted token even if the held one is still valid (joins a fetch already in flight). */
  forceRefresh?: boolean;
  /** The returned token stays valid at least this long (ms). Default: the manager's `minValidityMs`. */
  minValidityMs?: number;
  /** Stop waiting (rejects with `signal.reason`); the shared fetch itself goes on for other callers. */
  signal?: AbortSignal;
}

/**
 * An outside event that asks the manager to re-check its token, sent through {@link TokenSource.notify}:
 * - `"focus"`: the page became visible or focused again;
 * - `"online"` / `"offline"`: the network came back / went away;
 * - `"wake"`: a timer fired far later than asked (the machine slept, or the tab was frozen).
 */
export type OutsideSignal = "focus" | "online" | "offline" | "wake";
