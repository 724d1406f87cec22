/**
 * What the manager learns of a caching issuer (peer-token-managers: SDKs whose getToken() caches): a stale
 * try is one backoff step later at least, never a loop; a later token shows where the issuer mints again,
 * and the next refresh aims there; the ceiling is the validity of the issuer's last new token.
 */
import { describe, expect, it } from "vitest";
import { IssuerHabits } from "../../src/core/issuer-habits";
import type { Held } from "../../src/core/state";

const S = 1_000;
const policy = { baseDelayMs: 1_000, maxDelayMs: 30_000 };
/** A 15-minute token received at `at`, refreshed 60 s before expiry. */
function token(at: number, exp = at + 900 * S): Held {
  return {
    raw: `t${exp}`,
    exp,
    issuedAt: at,
    expiresAt: exp,
    refreshAt: exp - 60 * S,
    serveUntil: exp - 10 * S,
    sub: "u",
    iss: null,
  };
}

describe("IssuerHabits", () => {
  it("a first token is kept as planned, and sets the ceiling", () => {
    const habits = new IssuerHabits(policy);
    const first = token(0);
    expect(habits.plan(first, undefined, 0, () => 0.5)).toBe(first);
    expect(habits.ceiling).toBe(900 * S);
  });

  it("the held token again: the next try is halfway to the end of serving, a backoff step at least", () => {
    const habits = new IssuerHabits(policy);
    const held = token(0);
    const now = 880 * S; // 10 s before the end of serving
    const again = habits.plan(held, held, now, () => 0.5);
    expect(again.refreshAt).toBe(now + 5 * S); // halfway (5 s) beats one step (0.75 s)
    const later = habits.plan(held, held, 889 * S, () => 0.5);
    expect(later.refreshAt).toBe(890 * S); // never past serveUntil
  });

  it("stale tries back off: once the step (1, 2, 4, 8, 16 s … jittered) outgrows halfway, it decides", () => {
    const habits = new IssuerHabits(policy);
    const held = token(0);
    const now = held.serveUntil - 20 * S; // halfway to the end of serving: 10 s
    const waits = [1, 2, 3, 4, 5].map(() => habits.plan(held, held, now, () => 0.999).refreshAt - now);
    expect(waits.map((w) => Math.round(w / 100) / 10)).toEqual([10, 10, 10, 10, 16]);
  });

  it("after stale tries, a later token teaches where the issuer mints again, and the next refresh aims there", () => {
    const habits = new IssuerHabits(policy);
    const first = token(0);
    habits.plan(first, undefined, 0, () => 0.5);
    habits.plan(first, first, 840 * S, () => 0.5); // handed back 60 s before expiry
    const second = token(870 * S); // a new token only 30 s before the first one's expiry
    const planned = habits.plan(second, first, 870 * S, () => 0.5);
    // The issuer minted again with 30 s left: aim 29 s before the new token's expiry, not 60 s.
    expect(planned.refreshAt).toBe(second.expiresAt - 29 * S);
    expect(habits.ceiling).toBe(900 * S);
  });

  it("forgetTries (sign-out) resets the backoff of stale tries", () => {
    const habits = new IssuerHabits(policy);
    const held = token(0);
    const now = held.serveUntil - 20 * S;
    for (let i = 0; i < 5; i++) habits.plan(held, held, now, () => 0.999);
    expect(habits.plan(held, held, now, () => 0.999).refreshAt - now).toBe(20 * S); // 32 s, capped at serveUntil
    habits.forgetTries();
    expect(habits.plan(held, held, now, () => 0.999).refreshAt - now).toBe(10 * S);
  });

  it("a stale try that was not forced makes the next one forced (an SDK's cache is bypassed when forced)", () => {
    const habits = new IssuerHabits(policy);
    const held = token(0);
    habits.plan(held, undefined, 0, () => 0.5);
    expect(habits.forceNext).toBe(false);
    const again = habits.plan(held, held, 840 * S, () => 0.5, "scheduled");
    expect(habits.forceNext).toBe(true);
    expect(again.refreshAt).toBe(865 * S); // the same search as before: halfway to the end of serving
  });

  it("once a forced try mints after a stale one, every planned refresh is forced", () => {
    const habits = new IssuerHabits(policy);
    const first = token(0);
    habits.plan(first, first, 840 * S, () => 0.5, "scheduled");
    const second = token(865 * S);
    expect(habits.plan(second, first, 865 * S, () => 0.5, "forced")).toBe(second); // no aim learnt: forced
    expect(habits.forceNext).toBe(true);
    habits.forgetTries(); // sign-out: what was learnt about the issuer stands
    habits.plan(token(1_700 * S), second, 1_700 * S, () => 0.5, "forced");
    expect(habits.forceNext).toBe(true);
  });

  it("an issuer that ignores forced is no longer forced: the search goes on unforced, and learns", () => {
    const habits = new IssuerHabits(policy);
    const first = token(0);
    habits.plan(first, first, 840 * S, () => 0.5, "scheduled");
    habits.plan(first, first, 865 * S, () => 0.5, "forced");
    expect(habits.forceNext).toBe(false);
    habits.plan(first, first, 878 * S, () => 0.5, "scheduled");
    expect(habits.forceNext).toBe(false);
    const second = token(884 * S);
    expect(habits.plan(second, first, 884 * S, () => 0.5, "scheduled").refreshAt).toBe(second.expiresAt - 15 * S);
    expect(habits.forceNext).toBe(false);
  });
});
