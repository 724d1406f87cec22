/**
 * Shared public types of the core. The fetcher's contract (`token-fetcher.ts`) and the snapshot
 * (`snapshot.ts`, whose status is derived from the state union) live in their own modules and are re-exported
 * here, so `core/types` is the one place to import the core's types from.
 *
 * @module
 */
export type { FetchContext, FetchReason, TokenFetcher } from "./token-fetcher";
export type { TokenSnapshot, TokenStatus } from "./snapshot";

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
