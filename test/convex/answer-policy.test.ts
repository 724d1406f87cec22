/**
 * The answer policy on its own: a table of situations → strategies, the two reckonings of Convex's own
 * refetch time, and the rule that matters most to Convex, as a property: a forced call is never answered
 * with the token the client already holds (get-convex/convex-js#184: Convex then stops refreshing, and the
 * session silently expires).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AnswerSituation,
  type AnswerStrategy,
  chooseAnswer,
  refetchDueAfterHandOver,
  refetchDueBeforeExpiry,
} from "../../src/convex/answer-policy";

const S = 1_000;
const MIN = 60 * S;
const NOW = Date.UTC(2026, 0, 1, 12);
const LEEWAY = 10 * S; // Convex's default authRefreshTokenLeewaySeconds

/** A 15-minute token issued `ageMs` before NOW; the manager's next fetch `nextInMs` from NOW. */
function times(ageMs: number, nextInMs: number | null = 15 * MIN - ageMs - 75 * S) {
  const issuedAt = NOW - ageMs;
  return { issuedAt, expiresAt: issuedAt + 15 * MIN, nextFetchAt: nextInMs === null ? null : NOW + nextInMs };
}

/** A forced call from a client that holds token "A", which the manager also holds, 2 s old. */
function situation(change: {
  ask?: Partial<AnswerSituation["ask"]>;
  manager?: Partial<AnswerSituation["manager"]>;
  client?: Partial<AnswerSituation["client"]>;
  leewayMs?: number;
  waitIsBounded?: boolean;
}): AnswerSituation {
  return {
    ask: { forceRefreshToken: true, ...change.ask },
    manager: { token: "A", snapshot: times(2 * S), ...change.manager },
    client: { active: true, held: "A", rejected: false, refetchDueFrom: NOW - S, ...change.client },
    now: NOW,
    leewayMs: change.leewayMs ?? LEEWAY,
    waitIsBounded: change.waitIsBounded ?? true,
  };
}

const table: [name: string, situation: AnswerSituation, expected: AnswerStrategy][] = [
  // Convex's start: setAuth's first call, then the forced one.
  ["not forced (setAuth's cached-token call)", situation({ ask: { forceRefreshToken: false } }), "answerNull"],
  [
    "not forced, whatever the manager holds",
    situation({ ask: { forceRefreshToken: false }, client: { held: null } }),
    "answerNull",
  ],
  ["forced, but nothing uses the fetcher any more", situation({ client: { active: false, held: null } }), "answerNull"],
  [
    "forced at the start, the manager holds no token",
    situation({ manager: { token: null }, client: { held: null } }),
    "getToken",
  ],
  ["forced at the start, the manager's token is 2 s old", situation({ client: { held: null } }), "handOver"],
  [
    "forced at the start, the manager's token is exactly leeway − 5 s old",
    situation({ manager: { token: "A", snapshot: times(5 * S) }, client: { held: null } }),
    "handOver",
  ],
  [
    "forced at the start, the manager's token is 1 ms older than that",
    situation({ manager: { token: "A", snapshot: times(5 * S + 1) }, client: { held: null } }),
    "forceRefresh",
  ],
  [
    "forced at the start, the manager's token is a minute old",
    situation({ manager: { token: "A", snapshot: times(MIN) }, client: { held: null } }),
    "forceRefresh",
  ],
  [
    "forced, a leeway of 5 s or less: only a token issued now is young enough",
    situation({ leewayMs: 4 * S, client: { held: null } }),
    "forceRefresh",
  ],
  [
    "forced, the manager's token has no issue time",
    situation({
      manager: { token: "A", snapshot: { issuedAt: null, expiresAt: NOW + MIN, nextFetchAt: null } },
      client: { held: null },
    }),
    "forceRefresh",
  ],
  // The manager rotated and nobody pushed it yet (the React fetcher learns of rotations only when asked).
  ["forced, the manager holds a young token the client lacks", situation({ manager: { token: "B" } }), "handOver"],
  [
    "forced, the manager holds an older token the client lacks",
    situation({ manager: { token: "B", snapshot: times(MIN) } }),
    "forceRefresh",
  ],
  ["forced, the manager lost its token (expired, signed out)", situation({ manager: { token: null } }), "getToken"],
  // The client holds the manager's token.
  ["Convex's scheduled refetch, with a deadline", situation({}), "awaitRotation"],
  [
    "Convex's scheduled refetch, exactly when it falls due",
    situation({ client: { refetchDueFrom: NOW } }),
    "awaitRotation",
  ],
  [
    "a forced call 1 ms before the refetch falls due: a rejection",
    situation({ client: { refetchDueFrom: NOW + 1 } }),
    "forceRefresh",
  ],
  ["a rejection told by onRefreshChange", situation({ client: { rejected: true } }), "forceRefresh"],
  [
    "no reckoning of Convex's refetch time: a rejection",
    situation({ client: { refetchDueFrom: null } }),
    "forceRefresh",
  ],
  [
    "scheduled refetch, no deadline, the manager rotates while the token is good",
    situation({ waitIsBounded: false }),
    "awaitRotation",
  ],
  [
    "scheduled refetch, no deadline, the manager fetches 5 s before exp",
    situation({ waitIsBounded: false, manager: { token: "A", snapshot: times(2 * S, 15 * MIN - 2 * S - 5 * S) } }),
    "awaitRotation",
  ],
  [
    "scheduled refetch, no deadline, the manager fetches 4 s before exp",
    situation({ waitIsBounded: false, manager: { token: "A", snapshot: times(2 * S, 15 * MIN - 2 * S - 4 * S) } }),
    "forceRefresh",
  ],
  [
    "scheduled refetch, no deadline, no fetch planned",
    situation({ waitIsBounded: false, manager: { token: "A", snapshot: times(2 * S, null) } }),
    "forceRefresh",
  ],
  [
    "scheduled refetch, a deadline, no fetch planned (the manager is offline)",
    situation({ manager: { token: "A", snapshot: times(2 * S, null) } }),
    "awaitRotation",
  ],
];

describe("chooseAnswer", () => {
  for (const [name, input, expected] of table) {
    it(`${name} → ${expected}`, () => {
      expect(chooseAnswer(input)).toBe(expected);
    });
  }

  it("never answers a forced call with the token the client holds, and asks nothing when not forced", () => {
    const token = fc.constantFrom(null, "A", "B");
    const time = fc.option(fc.integer({ min: NOW - 30 * MIN, max: NOW + 30 * MIN }), { nil: null });
    fc.assert(
      fc.property(
        fc.record({
          ask: fc.record({ forceRefreshToken: fc.boolean() }),
          manager: fc.record({
            token,
            snapshot: fc.record({ issuedAt: time, expiresAt: time, nextFetchAt: time }),
          }),
          client: fc.record({ active: fc.boolean(), held: token, rejected: fc.boolean(), refetchDueFrom: time }),
          now: fc.constant(NOW),
          leewayMs: fc.integer({ min: 0, max: 5 * MIN }),
          waitIsBounded: fc.boolean(),
        }),
        (input) => {
          const strategy = chooseAnswer(input);
          if (strategy === "handOver") expect(input.manager.token).not.toBe(input.client.held);
          if (strategy === "handOver") expect(input.manager.token).not.toBeNull();
          if (!input.ask.forceRefreshToken || !input.client.active) expect(strategy).toBe("answerNull");
          if (strategy === "awaitRotation") expect(input.manager.token).toBe(input.client.held);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe("Convex's own refetch time", () => {
  it("after a hand-over: hand-over + lifetime − leeway, less 3 s", () => {
    const token = { issuedAt: NOW - 2 * S, expiresAt: NOW - 2 * S + 15 * MIN };
    expect(refetchDueAfterHandOver(NOW, token, LEEWAY)).toBe(NOW + 15 * MIN - LEEWAY - 3 * S);
  });

  it("after a hand-over with unknown times: a zero lifetime", () => {
    expect(refetchDueAfterHandOver(NOW, { issuedAt: null, expiresAt: null }, LEEWAY)).toBe(NOW - LEEWAY - 3 * S);
  });

  it("before expiry: leeway before exp, less 1 s; unknown without an expiry", () => {
    expect(refetchDueBeforeExpiry(NOW + 15 * MIN, LEEWAY)).toBe(NOW + 15 * MIN - LEEWAY - S);
    expect(refetchDueBeforeExpiry(null, LEEWAY)).toBeNull();
  });
});
