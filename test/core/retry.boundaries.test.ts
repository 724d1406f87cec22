/**
 * The retry maths at its edges: a `Retry-After` of exactly `retry.maxDelayMs` is waited for, and a
 * `Retry-After` header that is not a delay or an HTTP-date is ignored rather than read by a lenient
 * `Date.parse` (a wrong date could park the retries for hours, or a NaN delay fire them at once).
 */
import { describe, expect, it } from "vitest";
import { parseRetryAfter, planRetry } from "../../src/core/retry";

const policy = { attempts: 4, baseDelayMs: 1_000, maxDelayMs: 30_000 };
const NOW = Date.parse("2026-10-21T07:00:00Z");

describe("planRetry with a Retry-After", () => {
  it("of exactly retry.maxDelayMs: callers wait for it (the next try is within the cap)", () => {
    const failure = { retryable: true, offline: false, retryAfterMs: 30_000 };
    expect(planRetry(1, failure, policy, () => 0)).toEqual({ attempt: 1, delayMs: 30_000, failFast: false });
  });

  it("1 ms beyond retry.maxDelayMs: callers get the error at once", () => {
    const failure = { retryable: true, offline: false, retryAfterMs: 30_001 };
    expect(planRetry(1, failure, policy, () => 0)).toEqual({ attempt: 1, delayMs: 30_001, failFast: true });
  });
});

describe("parseRetryAfter ignores what only a lenient Date.parse would read", () => {
  it("a value that does not start with a three-letter day name (V8 would read these as dates)", () => {
    expect(Date.parse("1 Oct 2026 07:28:00 GMT")).not.toBeNaN();
    expect(parseRetryAfter("1 Oct 2026 07:28:00 GMT", NOW)).toBeUndefined();
    expect(Date.parse("W, 21 Oct 2026 07:28:00 GMT")).not.toBeNaN();
    expect(parseRetryAfter("W, 21 Oct 2026 07:28:00 GMT", NOW)).toBeUndefined();
  });

  it("an HTTP-date-shaped value that is no date: undefined, never a NaN delay", () => {
    expect(parseRetryAfter("Wed, 99 Foo 2026 07:28:00 GMT", NOW)).toBeUndefined();
    expect(parseRetryAfter("Wed, 21 Oct 2026 07:28:00 GMT", NOW)).toBe(28 * 60_000);
  });
});
