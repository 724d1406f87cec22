import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  estimateSkew,
  JITTER_FRACTION,
  LEEWAY_FRACTION,
  MIN_VALIDITY_FRACTION,
  planRefresh,
  scaled,
} from "../../src/core/schedule";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
/** The manager's defaults: leeway 60 s, jitter 30 s, min validity 10 s. */
const DEFAULTS = { leeway: 60 * SECOND, jitter: 30 * SECOND, minValidity: 10 * SECOND } as const;
/** Math.random() never returns 1; this is as close as it gets. */
const ALMOST_ONE = 1 - Number.EPSILON;
const T0 = Date.UTC(2026, 0, 1);

function plan(
  lifetimeMs: number,
  random: number,
  settings: { leeway: number; jitter: number; minValidity: number } = DEFAULTS,
) {
  return planRefresh(
    { issuedAt: T0, expiresAt: T0 + lifetimeMs },
    settings.leeway,
    settings.jitter,
    settings.minValidity,
    random,
  );
}

describe("scaled", () => {
  it("keeps a setting that fits in the fraction of the lifetime", () => {
    expect(scaled(60 * SECOND, 15 * MINUTE, LEEWAY_FRACTION)).toBe(60 * SECOND);
  });

  it("caps a setting at the fraction of the lifetime", () => {
    expect(scaled(60 * SECOND, 5 * SECOND, LEEWAY_FRACTION)).toBe(1 * SECOND);
    expect(scaled(30 * SECOND, 5 * SECOND, JITTER_FRACTION)).toBe(500);
    expect(scaled(10 * SECOND, 5 * SECOND, MIN_VALIDITY_FRACTION)).toBe(500);
  });

  it("never goes negative (negative settings or lifetimes)", () => {
    expect(scaled(-5, 1000, 0.2)).toBe(0);
    expect(scaled(5, -1000, 0.2)).toBe(0);
  });
});

describe("planRefresh", () => {
  it("refreshes at exp − leeway when random is 0", () => {
    const { refreshAt } = plan(15 * MINUTE, 0);
    expect(refreshAt).toBe(T0 + 14 * MINUTE);
  });

  it("refreshes at (almost) exp − leeway − jitter when random is ~1", () => {
    const { refreshAt } = plan(15 * MINUTE, ALMOST_ONE);
    expect(refreshAt).toBeGreaterThanOrEqual(T0 + 13 * MINUTE + 30 * SECOND);
    expect(refreshAt).toBeLessThan(T0 + 13 * MINUTE + 30 * SECOND + 1);
  });

  it("spreads refreshes across the jitter window (random 0.5 lands mid-window)", () => {
    const { refreshAt } = plan(15 * MINUTE, 0.5);
    expect(refreshAt).toBe(T0 + 13 * MINUTE + 45 * SECOND);
  });

  it("a 15-minute token with the defaults refreshes between 13:30 and 14:00 and is served until 14:50", () => {
    for (const random of [0, 0.25, 0.5, 0.75, ALMOST_ONE]) {
      const { refreshAt, serveUntil } = plan(15 * MINUTE, random);
      expect(refreshAt).toBeGreaterThanOrEqual(T0 + 13 * MINUTE + 30 * SECOND);
      expect(refreshAt).toBeLessThanOrEqual(T0 + 14 * MINUTE);
      expect(serveUntil).toBe(T0 + 14 * MINUTE + 50 * SECOND);
    }
  });

  // authts/oidc-client-ts#996 "automaticSilentRenew runs every second": a token lifetime at or under the fixed
  // margin makes a naive scheduler refresh immediately, forever. Here leeway/jitter/minValidity scale down.
  it("a 5-second token with the defaults refreshes once per lifetime, at 3.5–4 s, not on every call", () => {
    for (const random of [0, 0.5, ALMOST_ONE]) {
      const { refreshAt, serveUntil } = plan(5 * SECOND, random);
      expect(refreshAt).toBeGreaterThanOrEqual(T0 + 3500);
      expect(refreshAt).toBeLessThanOrEqual(T0 + 4000);
      // Still servable after the refresh point, so a caller during the refresh is not blocked.
      expect(serveUntil).toBe(T0 + 4500);
      // Strictly in the future relative to issue: the token is used for most of its life.
      expect(refreshAt - T0).toBeGreaterThanOrEqual(0.7 * 5 * SECOND);
    }
  });

  it("scales leeway, jitter and min validity with the lifetime (1-minute token)", () => {
    // leeway = min(60 s, 12 s) = 12 s; jitter = min(30 s, 6 s) = 6 s; minValidity = min(10 s, 6 s) = 6 s.
    expect(plan(MINUTE, 0)).toEqual({ refreshAt: T0 + 48 * SECOND, serveUntil: T0 + 54 * SECOND });
    expect(plan(MINUTE, ALMOST_ONE).refreshAt).toBeCloseTo(T0 + 42 * SECOND, -1);
  });

  it("never plans the refresh after serveUntil (a min validity larger than leeway + jitter)", () => {
    const settings = { leeway: 1 * SECOND, jitter: 0, minValidity: 30 * SECOND };
    const { refreshAt, serveUntil } = plan(15 * MINUTE, 0, settings);
    expect(serveUntil).toBe(T0 + 15 * MINUTE - 30 * SECOND);
    expect(refreshAt).toBe(serveUntil);
  });

  it("handles a zero or negative lifetime without NaN (refresh at once, serve until exp)", () => {
    const zero = planRefresh({ issuedAt: T0, expiresAt: T0 }, 60_000, 30_000, 10_000, 0.5);
    expect(zero).toEqual({ refreshAt: T0, serveUntil: T0 });
    const negative = planRefresh({ issuedAt: T0, expiresAt: T0 - 1000 }, 60_000, 30_000, 10_000, 0.5);
    expect(negative).toEqual({ refreshAt: T0 - 1000, serveUntil: T0 - 1000 });
  });

  it("property: refreshAt ≤ serveUntil ≤ expiresAt, refreshAt inside the jitter window and after issue", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 * 24 * 60 * MINUTE }), // lifetime up to 400 days
        fc.integer({ min: 0, max: 10 * MINUTE }), // leeway
        fc.integer({ min: 0, max: 10 * MINUTE }), // jitter
        fc.integer({ min: 0, max: 10 * MINUTE }), // min validity
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 41 }), // issuedAt (epoch ms up to 2039)
        (lifetime, leeway, jitter, minValidity, random, issuedAt) => {
          const expiresAt = issuedAt + lifetime;
          const eps = 0.01; // float rounding of epoch-sized numbers (ulp at 2^41 ≈ 0.0005 ms)
          const p = planRefresh({ issuedAt, expiresAt }, leeway, jitter, minValidity, random);
          const l = Math.min(leeway, lifetime * LEEWAY_FRACTION);
          const j = Math.min(jitter, lifetime * JITTER_FRACTION);
          expect(p.refreshAt).toBeLessThanOrEqual(p.serveUntil);
          expect(p.serveUntil).toBeLessThanOrEqual(expiresAt);
          expect(p.serveUntil).toBeGreaterThanOrEqual(expiresAt - lifetime * MIN_VALIDITY_FRACTION - eps);
          // Inside [exp − leeway − jitter, exp − leeway] (clamped to serveUntil).
          expect(p.refreshAt).toBeLessThanOrEqual(expiresAt - l + eps);
          expect(p.refreshAt).toBeGreaterThanOrEqual(Math.min(expiresAt - l - j, p.serveUntil) - eps);
          // Never before 70% of the lifetime has passed: a token is refreshed at most once per lifetime.
          expect(p.refreshAt - issuedAt).toBeGreaterThanOrEqual(lifetime * 0.7 - eps);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("estimateSkew", () => {
  it("is 0 without samples", () => {
    expect(estimateSkew([], 5000, 600_000)).toBe(0);
  });

  it("ignores offsets within the tolerance (that much is latency), both signs, tolerance inclusive", () => {
    expect(estimateSkew([4999], 5000, 600_000)).toBe(0);
    expect(estimateSkew([5000], 5000, 600_000)).toBe(0);
    expect(estimateSkew([-5000], 5000, 600_000)).toBe(0);
    expect(estimateSkew([5001], 5000, 600_000)).toBe(5001);
  });

  it("reports a larger offset with its sign (positive: local clock ahead; negative: behind)", () => {
    expect(estimateSkew([90_000], 5000, 600_000)).toBe(90_000);
    expect(estimateSkew([-90_000], 5000, 600_000)).toBe(-90_000);
  });

  it("bounds the estimate at ±maxMs", () => {
    expect(estimateSkew([3_600_000], 5000, 600_000)).toBe(600_000);
    expect(estimateSkew([-3_600_000], 5000, 600_000)).toBe(-600_000);
  });

  it("takes the smallest sample: a cached token's larger sample does not win", () => {
    // A fresh token says the local clock is 60 s ahead; an issuer-cached token (iat 5 min old) says 360 s.
    expect(estimateSkew([360_000, 60_000], 5000, 600_000)).toBe(60_000);
    expect(estimateSkew([60_000, 360_000], 5000, 600_000)).toBe(60_000);
    // And one fresh in-tolerance sample means "no skew", however old the others were.
    expect(estimateSkew([360_000, 200, 60_000], 5000, 600_000)).toBe(0);
  });

  it("property: the estimate is 0 or lies within [−max, max] and never exceeds the smallest sample", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -10_000_000, max: 10_000_000 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (samples, tolerance, max) => {
          const skew = estimateSkew(samples, tolerance, max);
          const best = Math.min(...samples);
          expect(Math.abs(skew)).toBeLessThanOrEqual(max);
          if (Math.abs(best) <= tolerance) expect(skew).toBe(0);
          else expect(Math.abs(skew)).toBeLessThanOrEqual(Math.abs(best));
        },
      ),
    );
  });
});
