/**
 * The answer policy on its own: a table of situations (how Convex asked, what the manager holds and is
 * doing, whether one fetchTimeoutMs has passed) → answers, and the rules that matter most to Convex as
 * properties: a scheduled refetch is never answered with the token the client holds (get-convex/convex-js#184:
 * Convex then stops refreshing, and the session silently expires), and never with `null` while the manager is
 * still trying (issue 14: a transient failure must not sign the user out).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Answer, type AnswerSituation, chooseAnswer, isStillTrying } from "../../src/convex/answer-policy";

const S = 1_000;
const MIN = 60 * S;
const NOW = Date.UTC(2026, 0, 1, 12);
const LEEWAY = 10 * S; // Convex's default authRefreshTokenLeewaySeconds

/** The manager's snapshot: a valid token issued `ageMs` before NOW (none when null). */
function snapshot(ageMs: number | null, fields: Partial<AnswerSituation["manager"]["snapshot"]> = {}) {
  const issuedAt = ageMs === null ? null : NOW - ageMs;
  return { status: "valid", exhausted: false, hasToken: ageMs !== null, issuedAt, ...fields } as const;
}

/** By default: Convex's scheduled refetch of token "A", which the manager also holds, 2 s old. */
function situation(
  change: Partial<Omit<AnswerSituation, "manager">> & { manager?: Partial<AnswerSituation["manager"]> },
) {
  return {
    ask: { forceRefreshToken: true },
    how: "scheduled",
    held: "A",
    now: NOW,
    leewayMs: LEEWAY,
    waited: false,
    ...change,
    manager: { token: "A", snapshot: snapshot(2 * S), ...change.manager },
  } satisfies AnswerSituation;
}

const retrying = (fields: { exhausted?: boolean; ageMs?: number | null } = {}) =>
  snapshot(fields.ageMs === undefined ? 2 * S : fields.ageMs, { status: "retrying", exhausted: !!fields.exhausted });

const table: [name: string, situation: AnswerSituation, expected: Answer][] = [
  // Convex's start (setConfig): the unforced call, then the forced one, while the socket is paused.
  [
    "not forced (setAuth's cached-token call)",
    situation({ ask: { forceRefreshToken: false }, how: "start" }),
    { answer: null },
  ],
  [
    "not forced, whatever the manager holds",
    situation({ ask: { forceRefreshToken: false }, how: "start", held: null }),
    { answer: null },
  ],
  [
    "the manager signed out",
    situation({ manager: { token: null, snapshot: snapshot(null, { status: "signedOut" }) } }),
    { answer: null },
  ],
  [
    "the manager was disposed",
    situation({ manager: { token: null, snapshot: snapshot(null, { status: "disposed" }) } }),
    { answer: null },
  ],
  [
    "its start, the manager holds no token",
    situation({ how: "start", held: null, manager: { token: null } }),
    { wait: "getToken" },
  ],
  ["its start, the manager's token is 2 s old", situation({ how: "start", held: null }), { answer: "A" }],
  [
    "its start, the manager's token is exactly leeway − 5 s old",
    situation({ how: "start", held: null, manager: { snapshot: snapshot(5 * S) } }),
    { answer: "A" },
  ],
  [
    "its start, the manager's token is 1 ms older than that",
    situation({ how: "start", held: null, manager: { snapshot: snapshot(5 * S + 1) } }),
    { wait: "forceRefresh" },
  ],
  [
    "its start, the manager's token is a minute old",
    situation({ how: "start", held: null, manager: { snapshot: snapshot(MIN) } }),
    { wait: "forceRefresh" },
  ],
  [
    "its start, a leeway of 5 s or less: only a token issued now is young enough",
    situation({ how: "start", held: null, leewayMs: 4 * S }),
    { wait: "forceRefresh" },
  ],
  [
    "its start, the manager's token has no issue time",
    situation({ how: "start", held: null, manager: { snapshot: snapshot(null) } }),
    { wait: "forceRefresh" },
  ],
  [
    "its start, the client still holds the manager's token (setAuth again): a new one",
    situation({ how: "start" }),
    { wait: "forceRefresh" },
  ],
  // A paused socket waits one fetchTimeoutMs at most, or less once the manager gave up.
  [
    "its start, fetchTimeoutMs passed, no token: null (public queries run; the token is pushed later)",
    situation({
      how: "start",
      held: null,
      waited: true,
      manager: { token: null, snapshot: retrying({ ageMs: null }) },
    }),
    { answer: null },
  ],
  [
    "its start, the manager gave up, no token: null at once",
    situation({
      how: "start",
      held: null,
      manager: { token: null, snapshot: retrying({ exhausted: true, ageMs: null }) },
    }),
    { answer: null },
  ],
  [
    "its start, fetchTimeoutMs passed, an old valid token: that token",
    situation({ how: "start", held: null, waited: true, manager: { snapshot: retrying({ ageMs: MIN }) } }),
    { answer: "A" },
  ],
  [
    "its start, the manager gave up, an old valid token: that token at once",
    situation({ how: "start", held: null, manager: { snapshot: retrying({ exhausted: true, ageMs: MIN }) } }),
    { answer: "A" },
  ],
  // After a server rejection: the socket is stopped.
  ["a rejection, the client's token: a new one", situation({ how: "rejected" }), { wait: "forceRefresh" }],
  [
    "a rejection, the manager lost its token",
    situation({ how: "rejected", manager: { token: null } }),
    { wait: "getToken" },
  ],
  [
    "a rejection, a young token the client lacks",
    situation({ how: "rejected", manager: { token: "B" } }),
    { answer: "B" },
  ],
  [
    "a rejection, fetchTimeoutMs passed, no token: null",
    situation({ how: "rejected", waited: true, manager: { token: null, snapshot: retrying({ ageMs: null }) } }),
    { answer: null },
  ],
  [
    "a rejection, fetchTimeoutMs passed, only the rejected token: it (Convex counts it a failure, like null)",
    situation({ how: "rejected", waited: true, manager: { snapshot: retrying() } }),
    { answer: "A" },
  ],
  [
    "a rejection, the manager gave up, no token: null at once",
    situation({ how: "rejected", manager: { token: null, snapshot: retrying({ exhausted: true, ageMs: null }) } }),
    { answer: null },
  ],
  // Convex's scheduled refetch: the socket runs on the token it holds.
  ["a scheduled refetch, the client's token: the manager's rotation", situation({}), { wait: "rotation" }],
  [
    "a scheduled refetch, no fetch planned (the manager is offline): its rotation all the same",
    situation({ manager: { snapshot: retrying({ exhausted: false }) } }),
    { wait: "rotation" },
  ],
  ["a scheduled refetch, a young token the client lacks", situation({ manager: { token: "B" } }), { answer: "B" }],
  [
    "a scheduled refetch, an older token the client lacks",
    situation({ manager: { token: "B", snapshot: snapshot(MIN) } }),
    { wait: "forceRefresh" },
  ],
  [
    "a scheduled refetch, fetchTimeoutMs passed, an older token the client lacks: that token",
    situation({ waited: true, manager: { token: "B", snapshot: snapshot(MIN) } }),
    { answer: "B" },
  ],
  ["a scheduled refetch, the manager lost its token", situation({ manager: { token: null } }), { wait: "getToken" }],
  [
    "a scheduled refetch, fetchTimeoutMs passed, the client's token, the manager retrying: never null",
    situation({ waited: true, manager: { snapshot: retrying() } }),
    { wait: "rotation" },
  ],
  [
    "a scheduled refetch, fetchTimeoutMs passed, no token, the manager still trying: never null",
    situation({ waited: true, manager: { token: null, snapshot: retrying({ ageMs: null }) } }),
    { wait: "getToken" },
  ],
  [
    "a scheduled refetch, the manager gave up but the client's token is valid: its rotation",
    situation({ manager: { snapshot: retrying({ exhausted: true }) } }),
    { wait: "rotation" },
  ],
  [
    "a scheduled refetch, the manager gave up, its token too close to exp to serve but not expired: no null yet",
    situation({ manager: { token: null, snapshot: retrying({ exhausted: true }) } }),
    { wait: "getToken" },
  ],
  [
    "a scheduled refetch, the manager gave up with no valid token: null",
    situation({ manager: { token: null, snapshot: retrying({ exhausted: true, ageMs: null }) } }),
    { answer: null },
  ],
];

describe("chooseAnswer", () => {
  for (const [name, input, expected] of table) {
    it(`${name} → ${JSON.stringify(expected)}`, () => {
      expect(chooseAnswer(input)).toEqual(expected);
    });
  }

  it("never hands a scheduled refetch the client's token, nor null while the manager tries", () => {
    const token = fc.constantFrom(null, "A", "B");
    const time = fc.option(fc.integer({ min: NOW - 30 * MIN, max: NOW + 30 * MIN }), { nil: null });
    const status = fc.constantFrom("idle", "fetching", "valid", "retrying", "signedOut", "disposed" as const);
    fc.assert(
      fc.property(
        fc.record({
          ask: fc.record({ forceRefreshToken: fc.boolean() }),
          how: fc.constantFrom("start", "scheduled", "rejected" as const),
          manager: fc.record({
            token,
            snapshot: fc.record({ status, exhausted: fc.boolean(), hasToken: fc.boolean(), issuedAt: time }),
          }),
          held: token,
          now: fc.constant(NOW),
          leewayMs: fc.integer({ min: 0, max: 5 * MIN }),
          waited: fc.boolean(),
        }),
        (input) => {
          const verdict = chooseAnswer(input);
          const { status, exhausted } = input.manager.snapshot;
          if (!input.ask.forceRefreshToken) expect(verdict).toEqual({ answer: null });
          if (!("answer" in verdict)) return;
          if (verdict.answer !== null) {
            expect(verdict.answer).toBe(input.manager.token);
            if (input.how === "scheduled") expect(verdict.answer).not.toBe(input.held);
          } else if (input.how === "scheduled" && input.ask.forceRefreshToken) {
            const ended = status === "signedOut" || status === "disposed";
            expect(ended || (exhausted && !input.manager.snapshot.hasToken)).toBe(true);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe("isStillTrying", () => {
  it("is true until the manager signs out, is disposed, or gives up for now", () => {
    for (const status of ["idle", "fetching", "valid", "retrying"] as const) {
      expect(isStillTrying({ status, exhausted: false })).toBe(true);
    }
    expect(isStillTrying({ status: "retrying", exhausted: true })).toBe(false);
    expect(isStillTrying({ status: "fetching", exhausted: true })).toBe(false);
    expect(isStillTrying({ status: "signedOut", exhausted: false })).toBe(false);
    expect(isStillTrying({ status: "disposed", exhausted: false })).toBe(false);
  });
});
