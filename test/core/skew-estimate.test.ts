/**
 * The skew estimate's memory: one sample per distinct token (a caching issuer's token handed back again
 * says nothing new), a warning only when the estimate changes to a non-zero offset, and sign-out forgets
 * the tokens but not what was learnt of the clocks.
 */
import { describe, expect, it } from "vitest";
import { SkewEstimate } from "../../src/core/skew-estimate";

describe("SkewEstimate", () => {
  it("knows the last five tokens seen, and forgets them on sign-out", () => {
    const skew = new SkewEstimate();
    for (const raw of ["a", "b", "c", "d", "e", "f"]) skew.record([1, 2], raw);
    expect(["a", "b", "f"].map(skew.known)).toEqual([false, true, true]);
    skew.forgetTokens();
    expect(skew.known("f")).toBe(false);
    expect(skew.samples).toEqual([1, 2]);
  });

  it("remembers when each token first arrived: a caching issuer's token handed back again has aged", () => {
    const skew = new SkewEstimate();
    skew.record([1], "a", 1_000);
    skew.record([1], "a", 5_000); // handed back: still the first receipt
    expect(skew.firstSeen("a")).toBe(1_000);
    expect(skew.firstSeen("b")).toBeUndefined();
  });

  it("forgetSamples: the next token is a first contact; the estimate stands until it comes", () => {
    const skew = new SkewEstimate();
    skew.record([3_600_000], "a");
    skew.revise(3_600_000);
    skew.forgetSamples();
    expect(skew.samples).toEqual([]);
    expect(skew.ms).toBe(3_600_000);
    expect(skew.known("a")).toBe(true);
  });

  it("revise: true only when the estimate changes to a non-zero offset; null (beyond the bound) keeps it", () => {
    const skew = new SkewEstimate();
    expect(skew.revise(0)).toBe(false);
    expect(skew.revise(120_000)).toBe(true);
    expect(skew.revise(120_000)).toBe(false);
    expect(skew.revise(null)).toBe(false);
    expect(skew.ms).toBe(120_000);
    expect(skew.revise(0)).toBe(false);
    expect(skew.ms).toBe(0);
  });
});
