/**
 * The fetcher's contract: what the app's `fetchToken` is given and what it returns.
 *
 * @module
 */

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
 *
 * @example
 * const fetchToken: TokenFetcher = async ({ signal }) => {
 *   const response = await fetch("/api/convex-token", { signal, credentials: "include" });
 *   if (response.status === 401) return null;
 *   if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
 *   return (await response.json()).token;
 * };
 */
export type TokenFetcher = (context: FetchContext) => Promise<string | null | { token: string }>;

/** Call the app's `fetchToken`: a synchronous throw becomes a rejection, a plain value a resolution. */
export function callFetcher(fetchToken: TokenFetcher, context: FetchContext): Promise<unknown> {
  try {
    return Promise.resolve(fetchToken(context));
  } catch (error) {
    return Promise.reject(error);
  }
}
