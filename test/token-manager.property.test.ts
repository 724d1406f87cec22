/**
 * Property test: random sequences of calls, time advances, sleeps and fetch outcomes, with invariants 1–5
 * of DESIGN.md checked after every step.
 */
import fc from "fast-check";
import { jwtDecode } from "jwt-decode";
import { afterEach, expect, it, vi } from "vitest";
import { createTokenManager } from "../src/index";
import { TokenEndpointError } from "../src/errors";
import { mintToken } from "./support/manager-harness";

type Outcome = "ok" | "short" | "slow" | "hang" | "throw" | "5xx" | "429" | "null" | "garbage";

type Action =
  | { type: "getToken"; minValidityMs?: number; forceRefresh?: boolean }
  | { type: "refresh" }
  | { type: "signOut" }
  | { type: "start" }
  | { type: "advance"; ms: number }
  | { type: "sleep"; ms: number }
  | { type: "outcome"; outcome: Outcome };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    type: fc.constant("getToken" as const),
    minValidityMs: fc.option(fc.integer({ min: 0, max: 120_000 }), { nil: undefined }),
    forceRefresh: fc.option(fc.boolean(), { nil: undefined }),
  }),
  fc.constant({ type: "refresh" as const }),
  fc.constant({ type: "signOut" as const }),
  fc.constant({ type: "start" as const }),
  fc.record({ type: fc.constant("advance" as const), ms: fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 20 * 60_000 })) }),
  // The machine sleeps: the wall clock jumps and no timer runs meanwhile (invariant 8).
  fc.record({ type: fc.constant("sleep" as const), ms: fc.integer({ min: 1_000, max: 60 * 60_000 }) }),
  fc.record({
    type: fc.constant("outcome" as const),
    outcome: fc.constantFrom<Outcome>("ok", "short", "slow", "hang", "throw", "5xx", "429", "null", "garbage"),
  }),
);

afterEach(() => {
  vi.useRealTimers();
});

it("keeps invariants 1–5 over random sequences of calls, time and fetch outcomes", async () => {
  const numRuns = Number(process.env.PROPERTY_RUNS ?? 1_000);
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 40 }), async (actions) => {
        vi.useFakeTimers();
        vi.setSystemTime(new Date("2026-01-01T00:00:00Z"));
        const violations: string[] = [];
        let outcome: Outcome = "ok";
        let inFlight = 0;
        let maxInFlight = 0;
        let slowTimers = 0;
        let signedOutByApp = false;

        const manager = createTokenManager({
          retry: { attempts: 3, baseDelayMs: 500, maxDelayMs: 10_000 },
          fetchTimeoutMs: 5_000,
          fetchToken: async ({ signal }) => {
            inFlight += 1;
            maxInFlight = Math.max(maxInFlight, inFlight);
            try {
              switch (outcome) {
                case "ok":
                  return mintToken(900);
                case "short":
                  return mintToken(8);
                case "slow":
                  return await new Promise<string>((resolve, reject) => {
                    slowTimers += 1;
                    const timer = setTimeout(() => {
                      slowTimers -= 1;
                      resolve(mintToken(900));
                    }, 1_500);
                    signal.addEventListener("abort", () => {
                      clearTimeout(timer);
                      slowTimers -= 1;
                      reject(signal.reason);
                    });
                  });
                case "hang":
                  return await new Promise<string>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
                case "throw":
                  throw new TypeError("fetch failed");
                case "5xx":
                  throw new TokenEndpointError(503, "down", { retryable: true });
                case "429":
                  throw new TokenEndpointError(429, "slow down", { retryable: true, retryAfterMs: 3_000 });
                case "null":
                  return null;
                case "garbage":
                  return "<html>oops</html>";
              }
            } finally {
              inFlight -= 1;
            }
          },
        });

        const checkToken = (token: string | null, minValidityMs: number | undefined, what: string) => {
          if (token === null) return;
          if (signedOutByApp) violations.push(`${what} resolved a token after signOut() (invariant 3)`);
          const { exp } = jwtDecode<{ exp: number }>(token);
          const left = exp * 1000 - Date.now();
          if (left < (minValidityMs ?? 0) || left <= 0) {
            violations.push(`${what} resolved a token with ${left} ms left, asked ${minValidityMs} (invariant 1)`);
          }
        };
        manager.on("token", () => {
          if (signedOutByApp) violations.push("token event after signOut() (invariant 3)");
        });
        const call = (promise: Promise<string | null>, minValidityMs: number | undefined, what: string) =>
          void promise.then((token) => checkToken(token, minValidityMs, what), () => {});

        for (const a of actions) {
          switch (a.type) {
            case "getToken":
              call(manager.getToken({ minValidityMs: a.minValidityMs, forceRefresh: a.forceRefresh }), a.minValidityMs, "getToken");
              break;
            case "refresh":
              call(manager.refresh(), undefined, "refresh");
              break;
            case "signOut":
              manager.signOut();
              signedOutByApp = true;
              break;
            case "start":
              manager.start();
              signedOutByApp = false;
              break;
            case "advance":
              await vi.advanceTimersByTimeAsync(a.ms);
              break;
            case "sleep":
              vi.setSystemTime(Date.now() + a.ms);
              break;
            case "outcome":
              outcome = a.outcome;
              break;
          }
          await vi.advanceTimersByTimeAsync(0);
          if (maxInFlight > 1) violations.push(`${maxInFlight} fetches in flight at once (invariant 2)`);
          if (vi.getTimerCount() > 1 + slowTimers) violations.push(`${vi.getTimerCount()} timers pending (invariant 4)`);
          if (violations.length) break;
        }
        manager.dispose();
        await vi.advanceTimersByTimeAsync(0);
        if (vi.getTimerCount() !== 0) violations.push(`${vi.getTimerCount()} timers left after dispose() (invariant 4)`);
        vi.useRealTimers();
        expect(violations).toEqual([]);
      }),
      { numRuns },
    );
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
  expect(unhandled).toEqual([]); // invariant 5
}, 120_000);
