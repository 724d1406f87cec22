/**
 * Pure maths for *when*: when to refresh a token, how long it may still be served, and how far the local
 * clock is from the issuer's. No I/O, no clock reads: every input is an argument.
 *
 * @module
 */

/** The leeway never exceeds this fraction of a token's lifetime (so short tokens refresh once per lifetime). */
export const LEEWAY_FRACTION = 0.2;
/** The jitter window never exceeds this fraction of a token's lifetime. */
export const JITTER_FRACTION = 0.1;
/** The minimum validity asked of a served token never exceeds this fraction of its lifetime. */
export const MIN_VALIDITY_FRACTION = 0.1;

/** Times of one held token, all on the local clock (epoch ms), skew already applied. */
export interface TokenTimes {
  /** When the token became valid on the local clock (its `iat` corrected for skew, or its receipt time). */
  issuedAt: number;
  /** When the token expires on the local clock. */
  expiresAt: number;
}

/** A token's planned refresh and serving limits (epoch ms). */
export interface RefreshPlan {
  /** When to fetch the next token: a random point in `[expiresAt − leeway − jitter, expiresAt − leeway]`. */
  refreshAt: number;
  /** Until when `getToken()` may hand this token out without a caller-supplied `minValidityMs`. */
  serveUntil: number;
}

/** Scale a setting to the token's lifetime: never more than `fraction` of it. */
export function scaled(valueMs: number, lifetimeMs: number, fraction: number): number {
  return Math.max(0, Math.min(valueMs, lifetimeMs * fraction));
}

/**
 * Plan a token's refresh.
 *
 * @param times - the token's local issue and expiry times.
 * @param leewayMs - how long before expiry to refresh (scaled down to 20% of the lifetime).
 * @param jitterMs - width of the random window before that point (scaled down to 10% of the lifetime).
 * @param minValidityMs - validity a served token keeps at least (scaled down to 10% of the lifetime).
 * @param random - a number in [0, 1).
 *
 * @example
 * const now = Date.now();
 * planRefresh({ issuedAt: now, expiresAt: now + 900_000 }, 60_000, 30_000, 10_000, Math.random());
 * // { refreshAt: 60 to 90 s before expiry, serveUntil: 10 s before expiry }
 */
export function planRefresh(
  times: TokenTimes,
  leewayMs: number,
  jitterMs: number,
  minValidityMs: number,
  random: number,
): RefreshPlan {
  const lifetime = Math.max(0, times.expiresAt - times.issuedAt);
  const leeway = scaled(leewayMs, lifetime, LEEWAY_FRACTION);
  const jitter = scaled(jitterMs, lifetime, JITTER_FRACTION);
  const serveUntil = times.expiresAt - scaled(minValidityMs, lifetime, MIN_VALIDITY_FRACTION);
  const refreshAt = Math.min(times.expiresAt - leeway - random * jitter, serveUntil);
  return { refreshAt, serveUntil };
}

/**
 * Estimate how far the local clock is ahead of the issuer's (ms; negative when behind).
 *
 * Each sample is `receivedAt − iat`: the true offset plus network latency plus any time the issuer kept
 * the token cached, so every sample over-estimates and the smallest recent one is the best estimate.
 * Offsets within `toleranceMs` are ignored (that much is latency, and Convex allows 5 s at Authenticate);
 * larger ones are bounded by `maxMs`.
 */
export function estimateSkew(samples: readonly number[], toleranceMs: number, maxMs: number): number {
  if (samples.length === 0) return 0;
  const best = Math.min(...samples);
  if (Math.abs(best) <= toleranceMs) return 0;
  return Math.max(-maxMs, Math.min(maxMs, best));
}
