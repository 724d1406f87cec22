/**
 * Token acceptance as a pure function: decode → claim checks → skew → plan. A fetcher's result becomes a
 * {@link Held} token on the manager's time line, or an `InvalidTokenError` saying what to fix.
 *
 * Time: `now` is the manager's time line (see `Timeline`), on which `skewSamples` are taken. The issuer's
 * clock is the truth; this clock's offset from it is estimated from `receivedAt − iat`, one sample per
 * distinct token (a caching issuer's token returned again says nothing new). Each sample over-estimates
 * the offset by the token's age, so the smallest recent one is kept; `iat` in whole seconds may be up to
 * 1 s early, so 1 s is taken off a correction (never optimistic). Offsets up to 5 s are ignored; beyond
 * `maxClockSkewMs` none is trusted and the lifetime (`exp − iat`, less 1 s) is measured from the token's first
 * receipt (a caching issuer's token handed back later has aged meanwhile).
 *
 * @module
 */
import { BACKEND_LEEWAY_MS } from "./convex-time-rules";
import { InvalidTokenError, seconds, tokenHint } from "./errors";
import { decodeClaims, notAJwt } from "./jwt";
import type { ResolvedOptions } from "./options";
import { estimateSkew, planRefresh } from "./schedule";
import type { Held } from "./state";
import { clockOffset, iatInFuture, missingIat, skewBeyondBound, type Warning } from "./warnings";

/** The outcome of {@link acceptToken}. */
export interface Accepted {
  held: Held;
  /** The skew samples to keep (the new one added when the token is new; a jump applied once a token told). */
  samples: number[];
  /** Whether this token's sample settled `jumpMs` (a jump or a sleep): the caller then forgets it. */
  settled: boolean;
  /** The offset estimated (ms, positive: this clock ahead of the issuer's); `null` beyond the bound. */
  skewMs: number | null;
  /** What to tell the app, in order. */
  warnings: Warning[];
}

/**
 * Accept a fetcher's `result` received at `now`.
 *
 * @param firstSeen - when this very token first arrived, if it was seen before (then it adds no skew sample).
 * @param jumpMs - how far the wall clock stepped forward beyond monotonic time since the samples were taken.
 * @throws InvalidTokenError from the claim checks, `ERR_TOKEN_EXPIRED`, `ERR_TOKEN_NOT_YET_VALID`.
 */
export function acceptToken(
  result: unknown,
  now: number,
  samples: readonly number[],
  firstSeen: (raw: string) => number | undefined,
  jumpMs: number,
  o: ResolvedOptions,
  random: number,
): Accepted {
  const value = typeof result === "string" ? result : (result as { token?: unknown } | null | undefined)?.token;
  if (typeof value !== "string")
    throw notAJwt(typeof result === "object" ? "an object without a string `token`" : String(typeof result));
  const raw = value.trim(); // a token read from a text body
  const { exp, iat, nbf, sub, iss } = decodeClaims(raw, o);
  const warnings: Accepted["warnings"] = [];
  const receivedAt = firstSeen(raw);
  // After the wall clock stepped forward `jumpMs` beyond monotonic time, the offset grew by that much (a jump)
  // or not at all (a sleep the monotonic clock missed). A new token's own sample tells which; until one does,
  // the smaller (conservative) estimate holds.
  let kept = [...samples];
  if (iat !== undefined && receivedAt === undefined) {
    const sample = now - iat;
    if (jumpMs && sample >= Math.min(...kept) + jumpMs - BACKEND_LEEWAY_MS) kept = kept.map((s) => s + jumpMs);
    kept = [...kept, sample].slice(-5);
  }
  const best = estimateSkew(kept, BACKEND_LEEWAY_MS, Infinity);
  const beyond = Math.abs(best) > o.maxClockSkewMs;
  // Whole-second `iat`: the true mint time may be up to 1 s later.
  const grain = iat !== undefined && iat % 1000 === 0 ? 1_000 : 0;
  const skew = best === 0 ? 0 : best - grain;
  // The issuer's clock now, as best known (beyond the bound: unknown, taken as `iat`).
  const issuerNow = beyond ? (iat ?? now) : now - skew;
  const lifetime = iat === undefined ? Infinity : exp - iat - (best || beyond ? grain : 0);
  // Beyond the bound, the lifetime is counted from the token's first receipt, not from this one.
  const remaining = beyond ? lifetime - (now - (receivedAt ?? now)) : Math.min(lifetime, exp - issuerNow);
  const where = `(this clock is ${clockOffset(best)}; \`maxClockSkewMs\` is ${o.maxClockSkewMs} ms)`;
  if (iat === undefined) {
    warnings.push(missingIat());
  } else if (iat - now > BACKEND_LEEWAY_MS && !beyond) {
    warnings.push(iatInFuture(iat - now));
  }
  if (beyond) {
    warnings.push(skewBeyondBound(best, o.maxClockSkewMs));
  }
  if (remaining <= 0) {
    throw new InvalidTokenError(
      "ERR_TOKEN_EXPIRED",
      `The token (${tokenHint(raw)}) had expired ${seconds(-remaining)} before it arrived ${where}. Either a clock ` +
        "is wrong: sync this device's and the issuer's (NTP); or the token endpoint serves a cached token: make " +
        'it mint a new one, at least when `reason` is "forced".',
      raw,
    );
  }
  if (nbf !== undefined && nbf - issuerNow > BACKEND_LEEWAY_MS) {
    throw new InvalidTokenError(
      "ERR_TOKEN_NOT_YET_VALID",
      `The JWT's \`nbf\` is ${seconds(nbf - issuerNow)} in the future ${where}, and Convex rejects a token whose ` +
        "`nbf` is more than 5 s ahead of its clock: make the issuer drop `nbf`, or set it to `iat`.",
      raw,
    );
  }
  const expiresAt = now + remaining;
  const issuedAt = iat === undefined ? now : Math.min(now, expiresAt - lifetime);
  return {
    // `raw`, `refreshAt` and `serveUntil` stay in-object with V8 despite the spread.
    held: {
      raw,
      exp,
      issuedAt,
      expiresAt,
      ...planRefresh({ issuedAt, expiresAt }, o.refreshLeewayMs, o.refreshJitterMs, o.minValidityMs, random),
      sub,
      iss: iss ?? null,
    },
    samples: kept,
    settled: iat !== undefined && receivedAt === undefined,
    skewMs: beyond ? null : best,
    warnings,
  };
}
