/**
 * One run of the manager's property test (`token-manager.property.test.ts`): a world (an issuer, a local
 * clock), a list of actions, and a seed for the clock's `random()`. It returns the violations of invariants
 * 1–10 of ARCHITECTURE.md, checked after every step against the ISSUER's clock (the truth), not the local one.
 * The property test draws worlds and actions at random; the regression tests replay its counterexamples.
 */
import { TokenManager, type OutsideSignal } from "../../src/index";
import { TokenEndpointError } from "../../src/core/errors";
import { MAX_TIMER_DELAY_MS } from "../../src/core/clock";
import { createFakeClock } from "../../src/testing/fake-clock";
import { fakeIssuer } from "../support/manager-harness";

const T0 = Date.UTC(2026, 0, 1, 12);
const S = 1_000;

/** What the fetcher does from now on. */
export type Outcome =
  | "ok"
  | "slow"
  | "hang"
  | "throw"
  | "5xx"
  | "429"
  | "null"
  | "garbage"
  | "badToString"
  | "nullProto"
  | "badMessage";

/** One step of a run. */
export type Action =
  | { type: "getToken"; minValidityMs?: number; forceRefresh?: boolean }
  | { type: "refresh" }
  | { type: "peek" }
  | { type: "signOut" }
  | { type: "start" }
  | { type: "advance"; ms: number }
  | { type: "sleep"; ms: number }
  | { type: "jump"; ms: number }
  | { type: "notify"; signal: OutsideSignal }
  | { type: "outcome"; outcome: Outcome }
  | { type: "signOutFromListener"; event: "token" | "refreshing" | "state" | "error" | "warning" };

/** The issuer and the local clock of a run. */
export interface World {
  lifetimeSec: number;
  /** A caching issuer hands its token back until this fraction of its lifetime is left. */
  cacheFraction?: number;
  ignoresForced: boolean;
  /** The local wall clock minus the issuer's (truth). */
  localOffsetMs: number;
}

/** Run `actions` in world `w` (the clock's `random()` seeded with `seed`): the invariants it broke, in order. */
export async function runWorld(w: World, actions: readonly Action[], seed: number): Promise<string[]> {
  let rand = seed >>> 0;
  const random = () => (rand = (rand * 1_103_515_245 + 12_345) >>> 0) / 2 ** 32;
  const clock = createFakeClock({ now: T0 + w.localOffsetMs, random });
  clock.maxTimersPerAdvance = 20_000; // a refresh loop fails the run instead of spinning
  const issuer = fakeIssuer(clock, T0, {
    lifetimeSec: w.lifetimeSec,
    remintBelowMs: w.cacheFraction === undefined ? undefined : w.cacheFraction * w.lifetimeSec * S,
    ignoresForced: w.ignoresForced,
  });
  const violations: string[] = [];
  const texts: string[] = [];
  const minted = new Set<string>();
  let outcome: Outcome = "ok";
  let inFlight = 0;
  let fetches = 0;
  let triggers = 0;
  let helperTimers = 0;
  let signedOutByApp = false;
  let pending = 0;
  let maxDelay = 0;
  const setTimeout = clock.setTimeout;
  clock.setTimeout = (callback, delayMs) => {
    maxDelay = Math.max(maxDelay, delayMs);
    return setTimeout(callback, delayMs);
  };
  const mint = (reason: string) => {
    const token = issuer.token(reason);
    minted.add(token);
    return token;
  };
  const hostile = (kind: Outcome): unknown => {
    if (kind === "badToString")
      return {
        toString: () => {
          throw new Error("toString");
        },
      };
    if (kind === "nullProto") return Object.create(null);
    return Object.defineProperty(new Error(), "message", {
      get: () => {
        throw new Error("message");
      },
    });
  };
  const boom = () => {
    throw new Error("app bug");
  };
  const log = (line: string) => texts.push(line);
  const manager = new TokenManager({
    clock,
    retry: { attempts: 3, baseDelayMs: 500, maxDelayMs: 10 * S },
    fetchTimeoutMs: 5 * S,
    logger: { debug: log, warn: (line) => (log(line), boom()), error: log },
    fetchToken: async ({ signal, reason }) => {
      inFlight += 1;
      fetches += 1;
      if (inFlight > 1) violations.push(`${inFlight} fetches in flight at once (invariant 2)`);
      if (signal.aborted) violations.push("the fetcher was called with an aborted signal (invariant 3)");
      try {
        switch (outcome) {
          case "ok":
            return mint(reason);
          case "slow":
            helperTimers += 1;
            await clock.delay(1_500).finally(() => (helperTimers -= 1));
            if (signal.aborted) throw signal.reason;
            return mint(reason);
          case "hang":
            return await new Promise<string>((_, reject) =>
              signal.addEventListener("abort", () => reject(signal.reason)),
            );
          case "throw":
            throw new TypeError("fetch failed");
          case "5xx":
            throw new TokenEndpointError(503, "down", { retryable: true });
          case "429":
            throw new TokenEndpointError(429, "slow down", { retryable: true, retryAfterMs: 86_400_000 });
          case "null":
            return null;
          case "garbage":
            return "<html>oops</html>";
          default:
            throw hostile(outcome);
        }
      } finally {
        inFlight -= 1;
      }
    },
  });

  // Listener order: a recorder, a thrower, a second recorder (an adapter's own), then any that sign out.
  const seenFirst: string[] = [];
  const seenLast: string[] = [];
  manager.on("token", (e) => seenFirst.push(e.tokenHint));
  manager.on("token", boom);
  manager.on("refreshing", boom);
  manager.subscribe(boom);
  manager.on("token", (e) => {
    seenLast.push(e.tokenHint);
    if (signedOutByApp) violations.push("token event after signOut() (invariant 3)");
  });
  for (const name of ["token", "refreshing", "error", "warning", "signedOut", "discarded", "state"] as const) {
    manager.on(name, (payload: unknown) =>
      texts.push(JSON.stringify(payload, (_, v) => (v instanceof Error ? String(v.message) : v)) ?? ""),
    );
  }

  const check = (token: string | null, minValidityMs: number | undefined, what: string) => {
    if (token === null) return;
    if (signedOutByApp) violations.push(`${what} gave a token after signOut() (invariant 3)`);
    if (!minted.has(token)) violations.push(`${what} gave a token the issuer never minted`);
    const left = issuer.remaining(token);
    if (left <= 0 || left < (minValidityMs ?? 0)) {
      violations.push(
        `${what} gave a token with ${left} ms left by the issuer's clock, asked ${minValidityMs} (invariant 1)`,
      );
    }
  };
  const call = (promise: Promise<string | null>, minValidityMs: number | undefined, what: string) => {
    pending += 1;
    void promise
      .then(
        (token) => check(token, minValidityMs, what),
        (error: unknown) => {
          try {
            texts.push(String((error as Error).message));
          } catch {
            // a hostile value passed through as-is is fine; its text is not ours
          }
        },
      )
      .finally(() => (pending -= 1));
  };

  let elapsed = 0;
  for (const a of actions) {
    switch (a.type) {
      case "getToken":
        triggers += 1;
        call(
          manager.getToken({ minValidityMs: a.minValidityMs, forceRefresh: a.forceRefresh }),
          a.minValidityMs,
          "getToken",
        );
        break;
      case "refresh":
        triggers += 1;
        call(manager.refresh(), undefined, "refresh");
        break;
      case "peek":
        check(manager.peekToken(), undefined, "peekToken");
        break;
      case "signOut":
        manager.signOut();
        signedOutByApp = true;
        break;
      case "start":
        triggers += 1;
        manager.start();
        signedOutByApp = false;
        break;
      case "advance":
        elapsed += a.ms;
        await clock.advance(a.ms);
        break;
      case "sleep":
        elapsed += a.ms;
        await clock.sleep(a.ms);
        break;
      case "jump":
        clock.jump(a.ms);
        break;
      case "notify":
        triggers += 1;
        manager.notify(a.signal);
        break;
      case "outcome":
        outcome = a.outcome;
        break;
      case "signOutFromListener": {
        const listener = () => {
          manager.off(a.event, listener);
          manager.signOut();
          signedOutByApp = true;
        };
        manager.on(a.event, listener);
        break;
      }
    }
    await clock.flush();
    if (clock.pending > 1 + helperTimers) violations.push(`${clock.pending} timers pending (invariant 4)`);
    // No loop (invariant 9): beyond what the app asked for, one fetch per backoff step at most.
    if (fetches > triggers + 12 + elapsed / 200)
      violations.push(`${fetches} fetches for ${triggers} calls in ${elapsed} ms (invariant 9)`);
    if (violations.length) break;
  }
  if (seenFirst.join() !== seenLast.join())
    violations.push("a throwing listener kept a later one from a token event (invariant 10)");
  // Every waiting caller settles (invariant 10): signOut resolves them all.
  manager.signOut();
  signedOutByApp = true;
  await clock.advance(10 * S);
  if (pending !== 0) violations.push(`${pending} getToken() calls never settled (invariant 10)`);
  manager.dispose();
  await clock.advance(10 * S);
  if (clock.pending !== 0) violations.push(`${clock.pending} timers left after dispose() (invariant 4)`);
  if (maxDelay > MAX_TIMER_DELAY_MS) violations.push(`setTimeout got ${maxDelay} ms (invariant 8)`);
  for (const token of minted) {
    const leak = texts.find((text) => text.includes(token) || text.includes(token.split(".")[1]!));
    if (leak) violations.push(`a whole token in "${leak.slice(0, 80)}…" (invariant 7)`);
  }
  return violations;
}
