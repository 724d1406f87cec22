/**
 * Property test: random issuers (caching or not, whole-second claims, tokens from 1 s to 15 min), local
 * clocks (skewed, jumping both ways, sleeping), fetch outcomes (including hostile rejection values),
 * listeners and loggers that throw or sign out, and random calls, with invariants 1–10 of ARCHITECTURE.md
 * checked after every step against the ISSUER's clock (the truth), not the local one (`property-world.ts`
 * runs one world). On the one FakeClock. `PROPERTY_RUNS` and `PROPERTY_SEED` set the runs and the seed.
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import type { OutsideSignal } from "../../src/index";
import { runWorld, type Action, type Outcome, type World } from "./property-world";

const S = 1_000;
const MIN = 60 * S;
const HOUR = 60 * MIN;

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant("getToken" as const),
      minValidityMs: fc.option(fc.integer({ min: 0, max: 20 * MIN }), { nil: undefined }),
      forceRefresh: fc.option(fc.boolean(), { nil: undefined }),
    }),
  },
  fc.constant({ type: "refresh" as const }),
  fc.constant({ type: "peek" as const }),
  fc.constant({ type: "signOut" as const }),
  fc.constant({ type: "start" as const }),
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant("advance" as const),
      ms: fc.oneof(fc.integer({ min: 0, max: 3 * S }), fc.integer({ min: 0, max: 20 * MIN })),
    }),
  },
  fc.record({ type: fc.constant("sleep" as const), ms: fc.integer({ min: S, max: HOUR }) }),
  // Wall-clock jumps (NTP, a user changing the time) of 10 s and more, both ways.
  fc.record({
    type: fc.constant("jump" as const),
    ms: fc.integer({ min: 10 * S, max: 2 * HOUR }).chain((ms) => fc.constantFrom(ms, -ms)),
  }),
  fc.record({
    type: fc.constant("notify" as const),
    signal: fc.constantFrom<OutsideSignal>("focus", "online", "offline", "wake"),
  }),
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant("outcome" as const),
      outcome: fc.constantFrom<Outcome>(
        "ok",
        "ok",
        "slow",
        "hang",
        "throw",
        "5xx",
        "429",
        "null",
        "garbage",
        "badToString",
        "nullProto",
        "badMessage",
      ),
    }),
  },
  fc.record({
    type: fc.constant("signOutFromListener" as const),
    event: fc.constantFrom(
      "token" as const,
      "refreshing" as const,
      "state" as const,
      "error" as const,
      "warning" as const,
    ),
  }),
);

const world: fc.Arbitrary<World> = fc.record({
  lifetimeSec: fc.constantFrom(1, 2, 3, 8, 60, 900),
  // A caching issuer hands its token back until this fraction of its lifetime is left.
  cacheFraction: fc.option(fc.constantFrom(0.05, 0.2, 0.5), { nil: undefined }),
  ignoresForced: fc.boolean(),
  // The local wall clock minus the issuer's (truth): in step, a little ahead, minutes or hours off.
  localOffsetMs: fc.constantFrom(0, 0, 3 * S, 2 * MIN, -2 * MIN, 2 * HOUR, -2 * HOUR),
});

it(
  "keeps invariants 1–10 against the issuer's clock, over random issuers, clocks, outcomes and calls",
  async () => {
    const numRuns = Number(process.env.PROPERTY_RUNS ?? 100);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      await fc.assert(
        fc.asyncProperty(
          world,
          fc.array(action, { minLength: 1, maxLength: 40 }),
          fc.integer(),
          async (w, actions, seed) => {
            const violations = await runWorld(w, actions, seed);
            expect(violations).toEqual([]);
          },
        ),
        { numRuns, ...(process.env.PROPERTY_SEED ? { seed: Number(process.env.PROPERTY_SEED) } : {}) },
      );
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    expect(unhandled).toEqual([]); // invariant 5
  },
  Math.max(300_000, Number(process.env.PROPERTY_RUNS ?? 100) * 3_000),
);
