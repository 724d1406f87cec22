/**
 * A scripted fetcher, a fake issuer and helpers for driving a TokenManager on the one FakeClock. The tokens
 * come from the kit's unsigned issuer (`src/testing/unsigned-issuer.ts`): the same claims as the signed
 * `createTestIssuer`, minted synchronously (the manager decodes tokens; it never verifies them).
 */
import { afterEach, beforeEach, vi } from "vitest";
import { decodeJwtPart } from "../../src/core/jwt";
import type { FetchContext } from "../../src/core/types";
import { createTokenManager, type TokenManager, type TokenManagerOptions } from "../../src/index";
import { createFakeClock, type FakeClock } from "../../src/testing/fake-clock";
import { createUnsignedIssuer } from "../../src/testing/unsigned-issuer";

export type Outcome =
  | { kind: "token"; lifetimeSec?: number; sub?: string; iatOffsetSec?: number; claims?: Record<string, unknown> }
  | { kind: "raw"; value: unknown }
  | { kind: "null" }
  | { kind: "throw"; error: unknown }
  | { kind: "hang" };

let mintNow: () => number = () => Date.now();
const mintIssuer = createUnsignedIssuer({ now: () => mintNow() });

/** The clock `mintToken` reads (a FakeClock's `now` in tests); no argument: back to `Date.now`. */
export function useMintClock(now: () => number = () => Date.now()): void {
  mintNow = now;
}

/** An unsigned JWT minted "now" on the mint clock (see {@link useMintClock}; jwt-decode does not verify signatures). */
export function mintToken(
  lifetimeSec = 900,
  opts: { sub?: string; iatOffsetSec?: number; claims?: Record<string, unknown> } = {},
): string {
  const iat = Math.floor(mintNow() / 1000) + (opts.iatOffsetSec ?? 0);
  return mintIssuer.mint({
    lifetimeSec,
    iat,
    ...(opts.sub !== undefined ? { sub: opts.sub } : {}),
    claims: opts.claims,
  });
}

/**
 * A fetcher whose outcomes are scripted: each call takes the next queued outcome, or the default
 * (a fresh 15-minute token). Records every call's context.
 */
export function scriptedFetcher(defaultOutcome: Outcome = { kind: "token" }) {
  const queue: Outcome[] = [];
  const calls: FetchContext[] = [];
  const issued: string[] = [];
  let fallback = defaultOutcome;
  const fetcher = vi.fn(async (context: FetchContext): Promise<string | null | { token: string }> => {
    calls.push(context);
    const outcome = queue.shift() ?? fallback;
    switch (outcome.kind) {
      case "token": {
        const token = mintToken(outcome.lifetimeSec ?? 900, outcome);
        issued.push(token);
        return token;
      }
      case "raw":
        return outcome.value as string;
      case "null":
        return null;
      case "throw":
        throw outcome.error;
      case "hang":
        return new Promise((_, reject) => {
          context.signal.addEventListener("abort", () => reject(context.signal.reason), { once: true });
        });
    }
  });
  return {
    fetcher,
    calls,
    issued,
    /** Queue outcomes for the next calls. */
    next(...outcomes: Outcome[]) {
      queue.push(...outcomes);
    },
    /** Change what every later (unqueued) call does. */
    always(outcome: Outcome) {
      fallback = outcome;
    },
  };
}

/** An HTTP-like error with a status, as a custom fetcher might throw. */
export function httpError(status: number, retryAfterMs?: number): Error & { status: number; retryAfterMs?: number } {
  return Object.assign(new Error(`HTTP ${status}`), {
    status,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** Options of {@link fakeIssuer}. */
export interface FakeIssuerOptions {
  /** Token lifetime in seconds (whole-second `iat`/`exp`, as issuers mint them). @default 900 */
  lifetimeSec?: number;
  /**
   * A caching issuer: hands back its cached token until that has less than this many ms left (many SDKs'
   * `getToken()` and token endpoints do), and mints a new one when the fetch reason is "forced" unless
   * `ignoresForced`. Undefined: mints on every call.
   */
  remintBelowMs?: number;
  ignoresForced?: boolean;
  /** The issuer's clock minus the true time (ms): its own clock error. @default 0 */
  offsetMs?: number;
}

/**
 * An issuer on a {@link FakeClock}: its clock is the truth (true time = the clock's start plus its monotonic
 * time, whatever the wall clock does), and it mints whole-second unsigned JWTs. `remaining(token)` is how
 * long a token stays valid as the issuer (and the Convex backend) see it.
 */
export function fakeIssuer(clock: { monotonicNow(): number }, startMs: number, options: FakeIssuerOptions = {}) {
  const { lifetimeSec = 900, remintBelowMs, ignoresForced = false, offsetMs = 0 } = options;
  let cached: { token: string; exp: number } | undefined;
  let minted = 0;
  const now = () => startMs + clock.monotonicNow() + offsetMs;
  const issuer = createUnsignedIssuer({ now, lifetimeSeconds: lifetimeSec });
  return {
    now,
    get minted() {
      return minted;
    },
    /** Mint (or hand back the cached token) for a fetch with `reason`. */
    token(reason = "initial", claims: Record<string, unknown> = {}): string {
      const t = now();
      const reuse =
        cached &&
        remintBelowMs !== undefined &&
        cached.exp * 1000 - t > remintBelowMs &&
        (reason !== "forced" || ignoresForced);
      if (!reuse) {
        minted += 1;
        const token = issuer.mint({ claims });
        cached = { token, exp: decodeJwtPart(token, "payload").exp as number };
      }
      return cached!.token;
    },
    /** Validity left (ms) of `token` on the issuer's clock. */
    remaining(token: string): number {
      return (decodeJwtPart(token, "payload").exp as number) * 1000 - now();
    },
  };
}

/** Where the manager tests' FakeClock starts: 2026-01-01T00:00:00Z. */
export const WORLD_START = Date.parse("2026-01-01T00:00:00Z");

/**
 * The FakeClock world of a manager test file. Before each test: a new FakeClock at `now` (default
 * {@link WORLD_START}; `random` fixes its jitter, the FakeClock's own default otherwise) that {@link mintToken}
 * reads too. After each test: every manager `managed()` made is disposed, and minting is back on `Date.now`.
 *
 * @example
 * const world = useManagerWorld({ random: () => 0.5 });
 * it("…", async () => {
 *   const { manager, script } = world.managed({ fetchTimeoutMs: 1_000 });
 *   await world.clock.advance(0);
 * });
 */
export function useManagerWorld(options: { now?: number; random?: () => number } = {}) {
  const managers: TokenManager[] = [];
  let clock: FakeClock | undefined;
  beforeEach(() => {
    clock = createFakeClock({ now: options.now ?? WORLD_START, ...(options.random ? { random: options.random } : {}) });
    useMintClock(clock.now);
  });
  afterEach(() => {
    for (const manager of managers.splice(0)) manager.dispose();
    useMintClock();
  });
  return {
    /** This test's FakeClock. */
    get clock(): FakeClock {
      if (!clock) throw new Error("useManagerWorld: the clock exists only inside a test");
      return clock;
    },
    /** A manager on this test's clock with a scripted fetcher (the default outcome: 15-minute tokens). */
    managed(managerOptions: Partial<TokenManagerOptions> = {}) {
      const script = scriptedFetcher();
      const manager = createTokenManager({ fetchToken: script.fetcher, clock: this.clock, ...managerOptions });
      managers.push(manager);
      return { manager, script };
    },
  };
}
