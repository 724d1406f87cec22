/**
 * Caching issuers that mint again only close to `exp` (issue 14): many SDKs' `getToken()` and token endpoints
 * hand back their cached token until it has little validity left, and bypass the cache on a forced call
 * (peer-token-managers: Clerk's `skipCache`, Auth0's `cacheMode: "off"`; auth0/auth0-spa-js#1158). When a
 * scheduled try brings the held token back, the next try is `"forced"`; once that mints, every planned
 * refresh is: at most 2 fetches on the first rotation, 1 after. An issuer that ignores `"forced"` is still
 * searched one backoff step at a time (invariant 9: no loop). Time is the one FakeClock.
 */
import { afterEach, describe, expect, it } from "vitest";
import { TokenManager } from "../../src/index";
import { createFakeClock } from "../../src/testing/fake-clock";
import { fakeIssuer } from "../support/manager-harness";

const T0 = Date.UTC(2026, 0, 1, 12);
const S = 1_000;
const managers: TokenManager[] = [];
afterEach(() => {
  for (const manager of managers.splice(0)) manager.dispose();
});

/** A manager on an issuer that mints again below `remintBelowMs` left, or when forced (unless it ignores that). */
function cachingWorld(lifetimeSec: number, remintBelowMs: number, ignoresForced = false) {
  const clock = createFakeClock({ now: T0, random: () => 0.5 });
  clock.maxTimersPerAdvance = 10_000; // a refresh loop fails the test instead of hanging it
  const issuer = fakeIssuer(clock, T0, { lifetimeSec, remintBelowMs, ignoresForced });
  /** Per token minted, the fetches made while the issuer held it (the first of them minted it). */
  const perToken: { reasons: string[] }[] = [];
  const manager = new TokenManager({
    clock,
    fetchToken: async ({ reason }) => {
      const before = issuer.minted;
      const token = issuer.token(reason);
      if (issuer.minted > before) perToken.push({ reasons: [] });
      perToken.at(-1)!.reasons.push(reason);
      return token;
    },
  });
  managers.push(manager);
  const expired: number[] = [];
  /** Ask for a token every second for `forSec` seconds, checking it by the issuer's clock. */
  const run = async (forSec: number) => {
    for (let i = 0; i < forSec; i++) {
      void manager.getToken().then((token) => {
        if (token !== null && issuer.remaining(token) <= 0) expired.push(issuer.remaining(token));
      });
      await clock.advance(S);
    }
  };
  return { clock, issuer, manager, perToken, expired, run };
}

describe("a caching issuer that mints again only close to exp, or when forced", () => {
  it.each([60, 900, 3_600])(
    "%d-s tokens, minting below 10 s left: 2 fetches on the first rotation, then 1 (was 10 for 3 tokens)",
    async (lifetimeSec) => {
      const w = cachingWorld(lifetimeSec, 10 * S);
      await w.run(6 * lifetimeSec);
      const rotations = w.perToken.slice(0, -1); // the last token may not have rotated yet
      expect(rotations.length).toBeGreaterThanOrEqual(5);
      expect(rotations.map((r) => r.reasons.length)).toEqual([2, ...rotations.slice(1).map(() => 1)]);
      expect(rotations[0]!.reasons).toEqual(["initial", "scheduled"]); // the initial one, then a stale try
      expect(rotations.slice(1).flatMap((r) => r.reasons)).toEqual(rotations.slice(1).map(() => "forced"));
      expect(w.expired).toEqual([]);
    },
  );

  it("the forced refresh keeps the usual margin before exp (no refresh squeezed into the last 10 s)", async () => {
    const w = cachingWorld(900, 10 * S);
    const margins: number[] = [];
    w.manager.on("refreshing", () => margins.push(w.issuer.remaining(w.manager.peekToken()!)));
    await w.run(3 * 900);
    expect(Math.min(...margins)).toBeGreaterThanOrEqual(40 * S); // before: 10 s, at the end of serving
  });

  it("an issuer that ignores forced: one warning, and no more fetches than the search one step at a time", async () => {
    const w = cachingWorld(900, 10 * S, true);
    const warnings: string[] = [];
    w.manager.on("warning", (e) => warnings.push(e.code));
    await w.run(4 * 900);
    expect(warnings).toEqual(["WARN_TOKEN_NOT_RENEWED"]); // tells the app to mint when reason is "forced"
    const fetches = w.perToken.reduce((n, r) => n + r.reasons.length, 0);
    expect(fetches).toBeLessThanOrEqual(w.issuer.minted + 8); // the first rotation's search, then one each
    expect(w.expired).toEqual([]);
  });

  it("an issuer that mints again on its own within the refresh window: 1 fetch per rotation, none forced", async () => {
    const w = cachingWorld(900, 5 * 60 * S);
    await w.run(4 * 900);
    expect(w.perToken.flatMap((r) => r.reasons).filter((r) => r === "forced")).toEqual([]);
    expect(w.perToken.every((r) => r.reasons.length === 1)).toBe(true);
  });
});
