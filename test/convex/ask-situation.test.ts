/**
 * How Convex asked, told from a forced call: its start (right after the unforced call), a rejection (told,
 * or too early for its own refetch: how convex < 1.40 shows one), or its scheduled refetch; and when that
 * refetch falls due.
 */
import { describe, expect, it } from "vitest";
import { type AskClues, howConvexAsked, refetchDueAfterHandOver } from "../../src/convex/ask-situation";

const S = 1_000;
const MIN = 60 * S;
const NOW = Date.UTC(2026, 0, 1, 12);
const LEEWAY = 10 * S;

const clues = (change: Partial<AskClues>): AskClues => ({
  starting: false,
  rejected: false,
  refetchDueFrom: NOW - S,
  now: NOW,
  ...change,
});

describe("howConvexAsked", () => {
  const table: [string, AskClues, ReturnType<typeof howConvexAsked>][] = [
    ["right after the unforced call: its start", clues({ starting: true }), "start"],
    ["its start wins over a told rejection (setAuth again)", clues({ starting: true, rejected: true }), "start"],
    ["once its refetch falls due: its scheduled refetch", clues({}), "scheduled"],
    ["exactly when its refetch falls due", clues({ refetchDueFrom: NOW }), "scheduled"],
    ["1 ms before its refetch falls due: a rejection", clues({ refetchDueFrom: NOW + 1 }), "rejected"],
    ["a rejection told by onRefreshChange", clues({ rejected: true }), "rejected"],
    ["no reckoning of its refetch time: a rejection", clues({ refetchDueFrom: null }), "rejected"],
  ];
  for (const [name, input, expected] of table) {
    it(`${name} → ${expected}`, () => expect(howConvexAsked(input)).toBe(expected));
  }
});

describe("Convex's own refetch time", () => {
  it("after a hand-over: hand-over + lifetime − leeway, less 3 s", () => {
    const token = { issuedAt: NOW - 2 * S, expiresAt: NOW - 2 * S + 15 * MIN };
    expect(refetchDueAfterHandOver(NOW, token, LEEWAY)).toBe(NOW + 15 * MIN - LEEWAY - 3 * S);
  });

  it("after a hand-over with unknown times: a zero lifetime", () => {
    expect(refetchDueAfterHandOver(NOW, { issuedAt: null, expiresAt: null }, LEEWAY)).toBe(NOW - LEEWAY - 3 * S);
  });
});
