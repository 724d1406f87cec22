/**
 * Counterexamples the property test found (`token-manager.property.test.ts`), replayed with their seeds so
 * that they never come back: CI runs the property test with random seeds, and either could fail it at random.
 */
import { describe, expect, it } from "vitest";
import { runWorld, type Action } from "./property-world";

describe("counterexamples of the property test", () => {
  it(
    "invariant 2: a fetcher that ignores its aborted signal, then signOut() and start(): one call in flight " +
      "(was 2)",
    async () => {
      const actions: Action[] = [
        { type: "outcome", outcome: "slow" },
        { type: "getToken" },
        { type: "signOut" },
        { type: "start" },
        { type: "advance", ms: 4_000 },
        { type: "getToken" },
      ];
      for (const seed of [-738_053_932, 0]) {
        const world = { lifetimeSec: 900, ignoresForced: false, localOffsetMs: 0 };
        expect(await runWorld(world, actions, seed)).toEqual([]);
      }
    },
  );

  it("invariant 2 (seed -738053932, shrunk): 1-s tokens, signOut() and start(): one call in flight", async () => {
    const world = { lifetimeSec: 1, ignoresForced: false, localOffsetMs: 0 };
    const actions: Action[] = [
      { type: "outcome", outcome: "slow" },
      { type: "getToken" },
      { type: "signOut" },
      { type: "start" },
      { type: "getToken" },
    ];
    expect(await runWorld(world, actions, 0)).toEqual([]);
  });

  it.each([
    [true, 5],
    [false, 8],
  ])(
    "invariant 1: 2-s tokens from a caching issuer (ignores forced: %s; seed %d), the wall clock 1 h ahead: " +
      "nothing served with 0 ms left",
    async (ignoresForced, seed) => {
      const world = { lifetimeSec: 2, cacheFraction: 0.05, ignoresForced, localOffsetMs: 0 };
      const actions: Action[] = [
        { type: "advance", ms: 617 },
        { type: "jump", ms: 3_599_900 },
        { type: "start" },
        { type: "advance", ms: 384_258 },
        { type: "advance", ms: 2_125 },
        { type: "peek" },
      ];
      expect(await runWorld(world, actions, seed)).toEqual([]);
    },
  );

  it.each([
    [false, 953_220],
    [true, 961_996],
  ])(
    "invariant 1 (seed 955405990): 3-s tokens from a caching issuer (ignores forced: %s), the local clock 2 h " +
      "behind, refresh() then %d ms: nothing served past exp",
    async (ignoresForced, firstAdvanceMs) => {
      const world = { lifetimeSec: 3, cacheFraction: 0.05, ignoresForced, localOffsetMs: -7_200_000 };
      const actions: Action[] = [
        { type: "refresh" },
        { type: "advance", ms: firstAdvanceMs },
        { type: "advance", ms: 1_780 },
        { type: "peek" },
      ];
      expect(await runWorld(world, actions, -732_205_144)).toEqual([]);
    },
  );
});
