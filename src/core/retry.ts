/**
 * Pure maths and classification for retries: capped exponential backoff with full jitter, which failures
 * are worth retrying, and `Retry-After`.
 *
 * @module
 */
import { InvalidTokenError, TokenManagerError, type TokenEndpointError } from "./errors";

/** How the manager retries a failing fetcher. */
export interface RetryPolicy {
  /**
   * Tries in one round before callers waiting for a token get a `TokenFetchError` (1 = no retry).
   * The manager keeps retrying in the background at `maxDelayMs` afterwards.
   * @default 4
   */
  attempts?: number;
  /** Delay before the first retry, in ms; doubles each time (full jitter applied). @default 1000 */
  baseDelayMs?: number;
  /** Cap on any retry delay, in ms (a `Retry-After` may ask for more, up to 1 hour). @default 30000 */
  maxDelayMs?: number;
  /**
   * Decide whether a failure is worth retrying. Default: {@link isRetryable} (network errors, timeouts,
   * 408/429/5xx retried; invalid tokens and other 4xx not).
   */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
}

/** A retry policy with every field filled in. */
export type ResolvedRetryPolicy = Required<RetryPolicy>;

/** Longest `Retry-After` honoured, in ms. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * Delay before retry number `attempt` (1 = the first retry): uniform in `[0, min(cap, base·2^(attempt−1))]`
 * ("full jitter"), but never less than the server's `Retry-After`.
 *
 * @example
 * backoffDelay(3, { baseDelayMs: 1_000, maxDelayMs: 30_000 }, Math.random()); // 0 to 4,000 ms
 * backoffDelay(1, { baseDelayMs: 1_000, maxDelayMs: 30_000 }, 0.5, 10_000); // 10,000 ms: the Retry-After
 */
export function backoffDelay(
  attempt: number,
  policy: Pick<ResolvedRetryPolicy, "baseDelayMs" | "maxDelayMs">,
  random: number,
  retryAfterMs?: number,
): number {
  const jittered = random * backoffCeiling(attempt, policy);
  if (retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}

/** The longest delay before retry number `attempt` (1 = the first retry): `min(cap, base·2^(attempt−1))`. */
export function backoffCeiling(
  attempt: number,
  policy: Pick<ResolvedRetryPolicy, "baseDelayMs" | "maxDelayMs">,
): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
}

/** What to do after a failed attempt: see {@link planRetry}. */
export interface RetryPlan {
  /** Attempts spent in this round, this one included (a failure while offline spends none). */
  attempt: number;
  /** Delay before the next try, in ms (not used while offline: the next try waits for `"online"`). */
  delayMs: number;
  /**
   * Whether callers without a valid token get the error at once: the round is over ({@link roundOver}), or the
   * next try is further away than a caller waits ({@link callerWaitMs}: a long `Retry-After`).
   */
  failFast: boolean;
}

/**
 * Whether the round of tries is over for callers without a valid token (they get the error at once, and the
 * manager keeps trying in the background): attempt `attempt` was the last, the failure is not retryable, or the
 * manager is offline.
 */
export function roundOver(
  attempt: number,
  failure: { retryable: boolean; offline: boolean },
  policy: Pick<ResolvedRetryPolicy, "attempts">,
): boolean {
  return !failure.retryable || attempt >= policy.attempts || failure.offline;
}

/**
 * The longest a caller without a valid token waits for the next try, in ms: `retry.maxDelayMs` or one
 * `fetchTimeoutMs`, whichever is longer (a caller waits for a fetch that long anyway). A try further away (a
 * long `Retry-After`) gives the caller the error at once: seconds, never hours.
 *
 * @example
 * callerWaitMs({ maxDelayMs: 100, fetchTimeoutMs: 10_000 }); // 10,000: a `Retry-After: 1` is waited for
 */
export function callerWaitMs(policy: { maxDelayMs: number; fetchTimeoutMs?: number }): number {
  return Math.max(policy.maxDelayMs, policy.fetchTimeoutMs ?? 0);
}

/**
 * Plan the next try after attempt `tried` failed. A retryable failure waits a backoff delay (full jitter, at
 * least `Retry-After`); one that is not retryable waits `retry.maxDelayMs` (or its `Retry-After`, up to 1 h):
 * the manager keeps trying in the background. `random()` is read only for a retryable failure.
 */
export function planRetry(
  tried: number,
  failure: { retryable: boolean; offline: boolean; retryAfterMs: number | undefined },
  policy: Pick<ResolvedRetryPolicy, "attempts" | "baseDelayMs" | "maxDelayMs"> & { fetchTimeoutMs?: number },
  random: () => number,
): RetryPlan {
  const { retryable, offline, retryAfterMs } = failure;
  const attempt = offline ? tried - 1 : tried;
  const delayMs = retryable
    ? backoffDelay(Math.max(1, attempt), policy, random(), retryAfterMs)
    : Math.max(policy.maxDelayMs, retryAfterMs ?? 0);
  const failFast = roundOver(attempt, failure, policy) || delayMs > callerWaitMs(policy);
  return { attempt, delayMs, failFast };
}

/** The log line's word on the next try after a failure, `delayMs` from now (or when back online). */
export function nextTry(retryable: boolean, offline: boolean, delayMs: number): string {
  if (offline) return 'Next try when the network is back (`notify("online")`).';
  const delay = `${Math.round(delayMs)} ms`;
  return retryable ? `Next try in ${delay}.` : `Not retryable (\`retry.shouldRetry\`): next try in ${delay}.`;
}

/** HTTP statuses that mean "try again later". */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * The default `shouldRetry`: transient failures are retried, definitive ones are not.
 * - `TokenEndpointError`: its `retryable` flag (408, 429, 5xx).
 * - `TokenFetchTimeoutError`, network errors, and anything unknown: retried.
 * - `InvalidTokenError`: not retried (the issuer would mint the same mistake), except
 *   `ERR_TOKEN_TOO_SHORT_LIVED` (a token that arrived with too little validity left).
 * - Any error with a numeric `status` (or `statusCode`): 408/429/5xx retried, other statuses not.
 *
 * @example
 * // Also retry a 401 from a gateway known to flap, as well as what the default retries:
 * const shouldRetry = (error: unknown) => isRetryable(error) || (error as { status?: number }).status === 401;
 * createTokenManager({ fetchToken, retry: { shouldRetry } });
 */
export function isRetryable(error: unknown): boolean {
  // A token too short-lived to serve may come right next time (whole-second claims on short tokens).
  if (error instanceof InvalidTokenError) return error.code === "ERR_TOKEN_TOO_SHORT_LIVED";
  // Not `instanceof TokenEndpointError`: that would pull the class into every bundle, used or not.
  if (error instanceof TokenManagerError && error.code === "ERR_TOKEN_ENDPOINT")
    return (error as TokenEndpointError).retryable;
  // A TokenFetchTimeoutError has no status: it falls through to "unknown", retried.
  if (error && typeof error === "object") {
    const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
    for (const code of [status, statusCode]) if (typeof code === "number") return isRetryableStatus(code);
  }
  return true;
}

/**
 * The `Retry-After` carried by an error (a `TokenEndpointError` or any object), in ms, if a number >= 0,
 * capped at {@link MAX_RETRY_AFTER_MS}. Never throws (a hostile error's getter may).
 */
export function retryAfterOf(error: unknown): number | undefined {
  try {
    const value = (error as { retryAfterMs?: unknown } | null | undefined)?.retryAfterMs;
    if (typeof value === "number" && value >= 0) return Math.min(value, MAX_RETRY_AFTER_MS);
  } catch {
    // fall through
  }
  return undefined;
}

/**
 * Parse a `Retry-After` header (delay-seconds or an HTTP-date) into ms from `nowMs`.
 * Returns undefined for a missing or unparsable value.
 *
 * @example
 * parseRetryAfter("120", Date.now()); // 120000
 * parseRetryAfter("Wed, 21 Oct 2026 07:28:00 GMT", Date.now()); // the ms until then, 0 if past
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP-date starts with a day name and has an hh:mm:ss time (RFC 9110 §5.6.7). Date.parse alone is too
  // lenient (V8 reads "1.5", "-1" or "abc 1" as dates in 2001), and reads the zone-less asctime form as local time.
  if (!/^[A-Za-z]{3}.*\b\d\d:\d\d:\d\d\b/.test(trimmed)) return undefined;
  const date = Date.parse(/\b(?:GMT|UTC)\b/i.test(trimmed) ? trimmed : `${trimmed} GMT`);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
