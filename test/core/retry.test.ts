import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidTokenError, TokenEndpointError, TokenFetchTimeoutError } from "../../src/core/errors";
import {
  backoffCeiling,
  backoffDelay,
  callerWaitMs,
  isRetryable,
  isRetryableStatus,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  planRetry,
  retryAfterOf,
  roundOver,
} from "../../src/core/retry";

const policy = { baseDelayMs: 1000, maxDelayMs: 30_000 };
const ALMOST_ONE = 1 - Number.EPSILON;
const HOUR = 60 * 60 * 1000;

describe("backoffDelay", () => {
  it("is 0 with random 0 (full jitter reaches down to 0)", () => {
    for (const attempt of [1, 2, 5, 20]) expect(backoffDelay(attempt, policy, 0)).toBe(0);
  });

  it("reaches base·2^(attempt−1) with random ~1", () => {
    expect(backoffDelay(1, policy, ALMOST_ONE)).toBeCloseTo(1000, 6);
    expect(backoffDelay(2, policy, ALMOST_ONE)).toBeCloseTo(2000, 6);
    expect(backoffDelay(3, policy, ALMOST_ONE)).toBeCloseTo(4000, 6);
    expect(backoffDelay(4, policy, ALMOST_ONE)).toBeCloseTo(8000, 6);
  });

  it("is uniform over the ceiling (random 0.5 → half of it)", () => {
    expect(backoffDelay(3, policy, 0.5)).toBe(2000);
  });

  it("grows with the attempt number until the cap", () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffDelay(attempt, policy, ALMOST_ONE));
    for (let i = 1; i < ceilings.length; i++) expect(ceilings[i]).toBeGreaterThanOrEqual(ceilings[i - 1]!);
    expect(ceilings[4]).toBeCloseTo(16_000, 6);
    expect(ceilings[5]).toBeCloseTo(30_000, 6); // 32 s capped at 30 s
    expect(ceilings[6]).toBeCloseTo(30_000, 6);
  });

  it("stays at the cap for huge attempt numbers (no Infinity, no NaN)", () => {
    for (const attempt of [31, 100, 10_000, Number.MAX_SAFE_INTEGER]) {
      const delay = backoffDelay(attempt, policy, 0.5);
      expect(delay).toBe(15_000);
    }
  });

  it("never waits less than Retry-After, even when jitter picks less", () => {
    expect(backoffDelay(1, policy, 0, 7000)).toBe(7000);
    expect(backoffDelay(1, policy, ALMOST_ONE, 500)).toBeCloseTo(1000, 6); // jitter above the floor wins
  });

  it("lets Retry-After exceed maxDelayMs", () => {
    expect(backoffDelay(1, policy, 0, 120_000)).toBe(120_000);
  });

  // A hostile or buggy `Retry-After: 99999999` must not park the manager for years (or overflow a timer).
  it("caps Retry-After at 1 hour", () => {
    expect(MAX_RETRY_AFTER_MS).toBe(HOUR);
    expect(backoffDelay(1, policy, 0, 10 * HOUR)).toBe(HOUR);
    expect(backoffDelay(1, policy, 0, Number.MAX_SAFE_INTEGER)).toBe(HOUR);
  });

  it("property: without Retry-After the delay is always within [0, maxDelayMs]", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 10 * 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, baseDelayMs, maxDelayMs, random) => {
          const delay = backoffDelay(attempt, { baseDelayMs, maxDelayMs }, random);
          expect(Number.isFinite(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(maxDelayMs);
          expect(delay).toBeLessThanOrEqual(baseDelayMs * 2 ** Math.min(attempt - 1, 30));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("property: with Retry-After the delay is at least min(Retry-After, 1 h) and at most max(cap, that)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 0, max: 10 * HOUR }),
        (attempt, random, retryAfterMs) => {
          const delay = backoffDelay(attempt, policy, random, retryAfterMs);
          const floor = Math.min(retryAfterMs, HOUR);
          expect(delay).toBeGreaterThanOrEqual(floor);
          expect(delay).toBeLessThanOrEqual(Math.max(policy.maxDelayMs, floor));
        },
      ),
    );
  });
});

describe("isRetryableStatus", () => {
  it("retries 408, 429 and 5xx only", () => {
    for (const status of [408, 429, 500, 502, 503, 504, 599]) expect(isRetryableStatus(status)).toBe(true);
    for (const status of [200, 301, 400, 401, 403, 404, 409, 422]) expect(isRetryableStatus(status)).toBe(false);
  });
});

describe("isRetryable", () => {
  it("follows a TokenEndpointError's retryable flag", () => {
    expect(isRetryable(new TokenEndpointError(503, "down", { retryable: true }))).toBe(true);
    expect(isRetryable(new TokenEndpointError(404, "not found", { retryable: false }))).toBe(false);
    // The flag wins over the status: a custom fetcher may decide a 500 is definitive.
    expect(isRetryable(new TokenEndpointError(500, "bad config", { retryable: false }))).toBe(false);
  });

  it("retries a fetch timeout", () => {
    expect(isRetryable(new TokenFetchTimeoutError(10_000))).toBe(true);
  });

  it("does not retry an invalid token (the issuer would mint the same mistake)", () => {
    for (const code of ["ERR_TOKEN_MALFORMED", "ERR_TOKEN_MISSING_EXP", "ERR_TOKEN_ISSUER_MISMATCH"] as const) {
      expect(isRetryable(new InvalidTokenError(code, "bad", "a.b.c"))).toBe(false);
    }
  });

  // mmailaender/convex-better-auth-svelte#35, MCPJam/inspector PR #4403: one wifi blip must not end the session.
  it("retries a network error (fetch's TypeError)", () => {
    expect(isRetryable(new TypeError("Failed to fetch"))).toBe(true);
    expect(isRetryable(new TypeError("fetch failed"))).toBe(true);
  });

  it("classifies any error-like object by its numeric status or statusCode", () => {
    expect(isRetryable({ status: 400 })).toBe(false);
    expect(isRetryable({ status: 401 })).toBe(false);
    expect(isRetryable({ status: 408 })).toBe(true);
    expect(isRetryable({ status: 429 })).toBe(true);
    expect(isRetryable({ status: 503 })).toBe(true);
    expect(isRetryable(Object.assign(new Error("ky"), { status: 401 }))).toBe(false);
    expect(isRetryable({ statusCode: 403 })).toBe(false);
    expect(isRetryable({ statusCode: 502 })).toBe(true);
  });

  it("retries unknown failures (a non-numeric status, strings, null)", () => {
    expect(isRetryable({ status: "401" })).toBe(true);
    expect(isRetryable(new Error("boom"))).toBe(true);
    expect(isRetryable("boom")).toBe(true);
    expect(isRetryable(null)).toBe(true);
    expect(isRetryable(undefined)).toBe(true);
  });
});

describe("retryAfterOf", () => {
  it("reads a TokenEndpointError's retryAfterMs", () => {
    expect(retryAfterOf(new TokenEndpointError(429, "slow down", { retryable: true, retryAfterMs: 7000 }))).toBe(7000);
    expect(retryAfterOf(new TokenEndpointError(503, "down", { retryable: true }))).toBeUndefined();
  });

  it("reads retryAfterMs from any object when it is a non-negative number", () => {
    expect(retryAfterOf({ retryAfterMs: 2500 })).toBe(2500);
    expect(retryAfterOf({ retryAfterMs: 0 })).toBe(0);
    expect(retryAfterOf({ retryAfterMs: -1 })).toBeUndefined();
    expect(retryAfterOf({ retryAfterMs: "7000" })).toBeUndefined();
    expect(retryAfterOf({})).toBeUndefined();
  });

  it("is undefined for null, undefined and primitives (no crash)", () => {
    expect(retryAfterOf(null)).toBeUndefined();
    expect(retryAfterOf(undefined)).toBeUndefined();
    expect(retryAfterOf("error")).toBeUndefined();
    expect(retryAfterOf(42)).toBeUndefined();
  });
});

describe("parseRetryAfter", () => {
  const now = Date.UTC(2026, 10, 26, 12, 0, 0);

  it("parses delay-seconds into ms", () => {
    expect(parseRetryAfter("7", now)).toBe(7000);
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter(" 7 ", now)).toBe(7000);
  });

  it("parses an HTTP-date into ms from now", () => {
    expect(parseRetryAfter("Thu, 26 Nov 2026 12:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter(new Date(now + 90_000).toUTCString(), now)).toBe(90_000);
  });

  it("parses the obsolete HTTP-date forms (RFC 850 and asctime)", () => {
    expect(parseRetryAfter("Thursday, 26-Nov-26 12:01:00 GMT", now)).toBe(60_000);
    expect(parseRetryAfter("Thu Nov 26 12:00:10 2026", now)).toBe(10_000);
  });

  it("reads the zone-less asctime form as GMT, whatever the local time zone", () => {
    const saved = process.env.TZ;
    process.env.TZ = "America/New_York"; // Node re-reads TZ on change; a naive Date.parse would be 5 h off.
    try {
      expect(parseRetryAfter("Thu Nov 26 12:00:10 2026", now)).toBe(10_000);
      expect(parseRetryAfter("Thu, 26 Nov 2026 12:00:30 GMT", now)).toBe(30_000);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it("clamps an HTTP-date in the past to 0", () => {
    expect(parseRetryAfter("Thu, 26 Nov 2026 11:00:00 GMT", now)).toBe(0);
  });

  it("is undefined for a missing or empty header", () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter("   ", now)).toBeUndefined();
  });

  it("is undefined for garbage, including values a lenient Date.parse would read as a date", () => {
    for (const value of ["soon", "7s", "0x10", "Infinity", "-1", "1.5", "1 2", "abc 1", "in 5 minutes"]) {
      expect(parseRetryAfter(value, now), value).toBeUndefined();
    }
  });
});

describe("planRetry: what a failed attempt leads to", () => {
  const full = { attempts: 4, ...policy };
  const online = { retryable: true, offline: false, retryAfterMs: undefined };
  const half = () => 0.5;

  it("a retryable failure waits a jittered backoff step; callers wait while attempts remain", () => {
    expect(planRetry(1, online, full, half)).toEqual({ attempt: 1, delayMs: 500, failFast: false });
    expect(planRetry(3, online, full, half)).toEqual({ attempt: 3, delayMs: 2000, failFast: false });
  });

  it("the last attempt makes callers fail fast; retries go on in the background", () => {
    expect(planRetry(4, online, full, half)).toEqual({ attempt: 4, delayMs: 4000, failFast: true });
  });

  it("a failure that is not retryable waits retry.maxDelayMs (or a longer Retry-After), failing fast", () => {
    const notRetryable = { ...online, retryable: false };
    expect(planRetry(1, notRetryable, full, half)).toEqual({ attempt: 1, delayMs: 30_000, failFast: true });
    expect(planRetry(1, { ...notRetryable, retryAfterMs: 60_000 }, full, half).delayMs).toBe(60_000);
  });

  it("offline, a failure spends no attempt and callers fail fast", () => {
    expect(planRetry(2, { ...online, offline: true }, full, half)).toEqual({
      attempt: 1,
      delayMs: 500,
      failFast: true,
    });
  });

  it("a Retry-After beyond retry.maxDelayMs is honoured, and callers do not wait for it", () => {
    const plan = planRetry(1, { ...online, retryAfterMs: 120_000 }, full, half);
    expect(plan).toEqual({ attempt: 1, delayMs: 120_000, failFast: true });
  });

  it("reads random() only for a retryable failure", () => {
    let reads = 0;
    const random = () => (reads++, 0.5);
    planRetry(1, { ...online, retryable: false }, full, random);
    expect(reads).toBe(0);
    planRetry(1, online, full, random);
    expect(reads).toBe(1);
  });

  it("backoffCeiling is the full-jitter window: base·2^(attempt−1), capped", () => {
    expect([1, 2, 3, 6, 40].map((attempt) => backoffCeiling(attempt, policy))).toEqual([
      1000, 2000, 4000, 30_000, 30_000,
    ]);
  });
});

describe("a caller's wait for the next try (issue 14)", () => {
  const online = { retryable: true, offline: false };
  const tight = { attempts: 4, baseDelayMs: 50, maxDelayMs: 100 };

  it("callerWaitMs: retry.maxDelayMs or one fetchTimeoutMs, whichever is longer", () => {
    expect(callerWaitMs({ maxDelayMs: 100, fetchTimeoutMs: 10_000 })).toBe(10_000);
    expect(callerWaitMs({ maxDelayMs: 30_000, fetchTimeoutMs: 10_000 })).toBe(30_000);
    expect(callerWaitMs({ maxDelayMs: 30_000 })).toBe(30_000);
  });

  it("a Retry-After within one fetchTimeoutMs keeps callers waiting, whatever retry.maxDelayMs is", () => {
    const retryAfter = { ...online, retryAfterMs: 1_000 };
    expect(planRetry(1, retryAfter, { ...tight, fetchTimeoutMs: 10_000 }, () => 0.5).failFast).toBe(false);
    expect(planRetry(1, retryAfter, { ...tight, fetchTimeoutMs: 300 }, () => 0.5).failFast).toBe(true);
    const day = { ...online, retryAfterMs: 86_400_000 };
    expect(planRetry(1, day, { ...tight, maxDelayMs: 1_200_000, fetchTimeoutMs: 10_000 }, () => 0.5)).toEqual({
      attempt: 1,
      delayMs: HOUR,
      failFast: true,
    });
  });

  it("roundOver: the last attempt, a failure that is not retryable, or offline", () => {
    expect(roundOver(3, online, tight)).toBe(false);
    expect(roundOver(4, online, tight)).toBe(true);
    expect(roundOver(1, { ...online, retryable: false }, tight)).toBe(true);
    expect(roundOver(1, { ...online, offline: true }, tight)).toBe(true);
  });
});
