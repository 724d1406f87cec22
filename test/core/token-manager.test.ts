import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  createTokenManager,
  InvalidTokenError,
  TokenEndpointError,
  TokenFetchError,
  TokenManagerDisposedError,
  type TokenManager,
  type TokenManagerOptions,
} from "../../src/index";
import { createFakeClock, type FakeClock } from "../../src/testing/fake-clock";
import { httpError, mintToken, scriptedFetcher, useMintClock } from "../support/manager-harness";

const MIN = 60_000;
const managers: TokenManager[] = [];
let fake: FakeClock;

function setup(options: Partial<TokenManagerOptions> = {}) {
  const script = scriptedFetcher();
  const manager = createTokenManager({ fetchToken: script.fetcher, clock: fake, ...options });
  managers.push(manager);
  const events: { name: string; payload: unknown }[] = [];
  for (const name of ["token", "refreshing", "error", "warning", "signedOut", "discarded"] as const) {
    manager.on(name, (payload: unknown) => events.push({ name, payload }));
  }
  return {
    manager,
    script,
    events,
    of: (name: string) => events.filter((e) => e.name === name).map((e) => e.payload as any),
  };
}

beforeEach(() => {
  fake = createFakeClock({ now: Date.parse("2026-01-01T00:00:00Z") });
  useMintClock(fake.now);
});

afterEach(() => {
  for (const manager of managers.splice(0)) manager.dispose();
  useMintClock();
});

describe("getToken", () => {
  it("fetches once, then serves the cached token", async () => {
    const { manager, script } = setup();
    const first = await manager.getToken();
    expect(first).toBe(script.issued[0]);
    expect(script.calls[0]).toMatchObject({ reason: "initial", attempt: 1 });
    for (let i = 0; i < 100; i++) expect(await manager.getToken()).toBe(first);
    expect(script.fetcher).toHaveBeenCalledTimes(1);
  });

  it("shares one fetch between 10,000 concurrent callers (invariant 2; auth0/auth0-spa-js#480)", async () => {
    const { manager, script } = setup();
    const results = await Promise.all(Array.from({ length: 10_000 }, () => manager.getToken()));
    expect(script.fetcher).toHaveBeenCalledTimes(1);
    expect(new Set(results)).toEqual(new Set([script.issued[0]]));
  });

  it("accepts { token } from the fetcher", async () => {
    const token = mintToken();
    const manager = createTokenManager({ fetchToken: async () => ({ token }), clock: fake });
    managers.push(manager);
    expect(await manager.getToken()).toBe(token);
  });

  it("forceRefresh fetches a new token, single-flight with concurrent refresh() calls", async () => {
    const { manager, script } = setup();
    const first = await manager.getToken();
    const [a, b, c] = await Promise.all([
      manager.refresh(),
      manager.refresh(),
      manager.getToken({ forceRefresh: true }),
    ]);
    expect(script.fetcher).toHaveBeenCalledTimes(2);
    expect(script.calls[1]!.reason).toBe("forced");
    expect(a).not.toBe(first);
    expect([b, c]).toEqual([a, a]);
  });

  it("honours a per-call minValidityMs by fetching a longer-lived token", async () => {
    const { manager, script } = setup();
    await manager.getToken();
    await fake.advance(10 * MIN); // 5 minutes left
    const token = await manager.getToken({ minValidityMs: 6 * MIN });
    expect(script.fetcher).toHaveBeenCalledTimes(2);
    expect(token).toBe(script.issued[1]);
  });

  it(
    "rejects a caller whose minValidityMs a fresh token " + "cannot meet, instead of serving it (invariant 1)",
    async () => {
      const { manager } = setup();
      await expect(manager.getToken({ minValidityMs: 20 * MIN })).rejects.toMatchObject({
        code: "ERR_TOKEN_TOO_SHORT_LIVED",
      });
    },
  );

  it("a caller's signal stops its wait only", async () => {
    const { manager, script } = setup();
    script.next({ kind: "hang" });
    const controller = new AbortController();
    const mine = manager.getToken({ signal: controller.signal });
    const other = manager.getToken();
    controller.abort(new Error("user left"));
    await expect(mine).rejects.toThrow("user left");
    await fake.advance(12_000); // the hung fetch times out (10 s) and is retried (≤ 1 s)
    await expect(other).resolves.toBe(script.issued[0]);
  });

  it("rejects bad minValidityMs with a TypeError naming it", async () => {
    const { manager } = setup();
    await expect(manager.getToken({ minValidityMs: -1 })).rejects.toThrow(/minValidityMs/);
  });
});

describe("scheduling", () => {
  it("refreshes a 15-minute token once, inside the jittered window before exp", async () => {
    const { manager, script, of } = setup();
    await manager.getToken();
    const { refreshAt, expiresAt } = of("token")[0];
    expect(expiresAt - refreshAt).toBeGreaterThanOrEqual(60_000);
    expect(expiresAt - refreshAt).toBeLessThanOrEqual(90_000);
    await fake.advance(13 * MIN + 29_000);
    expect(script.fetcher).toHaveBeenCalledTimes(1);
    await fake.advance(31_000 + 5_000);
    expect(script.fetcher).toHaveBeenCalledTimes(2);
    expect(script.calls[1]!.reason).toBe("scheduled");
  });

  it("refreshes a 5-second token once per lifetime, never on every call (authts/oidc-client-ts#996)", async () => {
    const { manager, script } = setup();
    script.always({ kind: "token", lifetimeSec: 5 });
    await manager.getToken();
    for (let i = 0; i < 600; i++) {
      await manager.getToken();
      await fake.advance(100);
    }
    // 60 s of 5 s tokens (iat floored to the second, so 4–5 s left at receipt), each refreshed once at
    // 70–80% of its lifetime: 60 / (3–4 s) → 15 to 20 fetches, all on schedule, none caused by a call.
    const calls = script.fetcher.mock.calls.length;
    expect(calls).toBeGreaterThanOrEqual(15);
    expect(calls).toBeLessThanOrEqual(21);
    expect(script.calls.slice(1).every((c) => c.reason === "scheduled")).toBe(true);
  });

  it("spreads refresh times with jitter (different managers, same mint second)", async () => {
    const times = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const { manager, of } = setup();
      await manager.getToken();
      times.add(Math.round(of("token")[0].refreshAt / 1000));
    }
    expect(times.size).toBeGreaterThan(10);
  });

  it(
    "never passes more than 2^31−1 ms to setTimeout, even " + "for a token valid 100 days (keycloak/keycloak-js#107)",
    async () => {
      const delays: number[] = [];
      const clock = {
        ...fake,
        setTimeout: (fn: () => void, ms: number) => {
          delays.push(ms);
          return fake.setTimeout(fn, ms);
        },
      };
      const { manager, script } = setup({ clock });
      script.always({ kind: "token", lifetimeSec: 100 * 24 * 3600 });
      await manager.getToken();
      await fake.advance(60_000);
      expect(Math.max(...delays)).toBeLessThanOrEqual(2 ** 31 - 1);
      expect(script.fetcher).toHaveBeenCalledTimes(1);
      expect(fake.pending).toBe(1); // invariant 4
    },
  );

  it(
    "notices a sleep past the refresh point within seconds of wake, and never serves the expired token " +
      "(supabase/supabase#6464)",
    async () => {
      const { manager, script } = setup();
      const before = await manager.getToken();
      await fake.sleep(20 * MIN); // the laptop slept 20 minutes: no timer ran until the wake
      const after = manager.getToken();
      await fake.advance(0);
      expect(await after).not.toBe(before);
      expect(script.fetcher).toHaveBeenCalledTimes(2);

      // And with no caller at all: the timer's next wake notices it.
      await fake.sleep(20 * MIN);
      await fake.advance(5_000);
      expect(script.fetcher).toHaveBeenCalledTimes(3);
      expect(script.calls[2]!.reason).toBe("wake");
    },
  );

  it("keeps at most one timer pending whatever the state (invariant 4)", async () => {
    const { manager, script } = setup();
    script.next({ kind: "throw", error: httpError(503) }, { kind: "hang" });
    void manager.getToken().catch(() => {});
    for (let i = 0; i < 50; i++) {
      await fake.advance(1_000);
      expect(fake.pending).toBeLessThanOrEqual(1);
    }
  });
});

describe("failures", () => {
  it("retries transient failures with backoff, then serves the token (invariant 6)", async () => {
    const { manager, script, of } = setup();
    script.next({ kind: "throw", error: httpError(503) }, { kind: "throw", error: new TypeError("fetch failed") });
    const token = manager.getToken();
    await fake.advance(5_000);
    expect(await token).toBe(script.issued[0]);
    expect(script.calls.map((c) => [c.reason, c.attempt])).toEqual([
      ["initial", 1],
      ["retry", 2],
      ["retry", 3],
    ]);
    expect(of("error").map((e) => e.attempt)).toEqual([1, 2]);
  });

  it(
    "keeps serving a still-valid token while refreshes fail (MCPJam/inspector#4403: a wifi blip must not sign " +
      "out)",
    async () => {
      const { manager, script, of } = setup();
      const token = await manager.getToken();
      script.always({ kind: "throw", error: httpError(502) });
      await fake.advance(14 * MIN);
      expect(script.fetcher.mock.calls.length).toBeGreaterThan(1);
      expect(await manager.getToken()).toBe(token);
      expect(of("error").every((e) => e.servingToken)).toBe(true);
      expect(of("signedOut")).toEqual([]);
    },
  );

  it("gives a caller without a valid token a TokenFetchError after the policy's attempts, not a hang", async () => {
    const { manager, script } = setup({ retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 } });
    script.always({ kind: "throw", error: httpError(500) });
    const pending = manager.getToken();
    const assertion = expect(pending).rejects.toBeInstanceOf(TokenFetchError);
    await fake.advance(2_000);
    await assertion;
    await expect(pending).rejects.toMatchObject({ code: "ERR_TOKEN_FETCH_FAILED", attempts: 3 });
    // Later callers fail fast without a fetch storm...
    const calls = script.fetcher.mock.calls.length;
    await expect(manager.getToken()).rejects.toBeInstanceOf(TokenFetchError);
    expect(script.fetcher.mock.calls.length).toBe(calls);
    // ...while the manager keeps trying in the background, and recovers by itself.
    script.always({ kind: "token" });
    await fake.advance(1_000);
    expect(await manager.getToken()).toBe(script.issued[0]);
  });

  it("honours Retry-After on 429", async () => {
    const { manager, script } = setup();
    script.next({
      kind: "throw",
      error: new TokenEndpointError(429, "slow down", { retryable: true, retryAfterMs: 20_000 }),
    });
    const token = manager.getToken();
    await fake.advance(19_999);
    expect(script.fetcher).toHaveBeenCalledTimes(1);
    await fake.advance(5_001);
    expect(script.fetcher).toHaveBeenCalledTimes(2);
    await expect(token).resolves.toBe(script.issued[0]);
  });

  it("aborts a fetch that exceeds fetchTimeoutMs and retries it", async () => {
    const { manager, script, of } = setup({ fetchTimeoutMs: 3_000 });
    script.next({ kind: "hang" });
    const token = manager.getToken();
    await fake.advance(3_000);
    expect(script.calls[0]!.signal.aborted).toBe(true);
    expect(of("error")[0].error).toMatchObject({ code: "ERR_TOKEN_FETCH_TIMEOUT" });
    await fake.advance(2_000);
    await expect(token).resolves.toBe(script.issued[0]);
  });

  it("signs out on null without retrying (invariant 6)", async () => {
    const { manager, script, of } = setup();
    script.next({ kind: "null" });
    expect(await manager.getToken()).toBeNull();
    await fake.advance(60 * MIN);
    expect(script.fetcher).toHaveBeenCalledTimes(1);
    expect(of("signedOut")).toEqual([{ reason: "fetcher" }]);
    expect(manager.getSnapshot().status).toBe("signedOut");
    manager.start();
    await fake.advance(0);
    expect(await manager.getToken()).toBe(script.issued[0]);
  });

  it("does not retry non-retryable failures before telling callers", async () => {
    const { manager, script } = setup();
    script.next({ kind: "throw", error: httpError(400) });
    await expect(manager.getToken()).rejects.toBeInstanceOf(TokenFetchError);
    expect(script.fetcher).toHaveBeenCalledTimes(1);
  });

  it("survives a fetcher that throws synchronously and listeners that throw (invariant 5)", async () => {
    const manager = createTokenManager({
      clock: fake,
      fetchToken: () => {
        throw new Error("boom");
      },
      retry: { attempts: 1 },
    });
    managers.push(manager);
    manager.on("error", () => {
      throw new Error("listener bug");
    });
    manager.subscribe(() => {
      throw new Error("subscriber bug");
    });
    await expect(manager.getToken()).rejects.toBeInstanceOf(TokenFetchError);
    await fake.advance(5 * MIN); // background retries raise no unhandled rejection
  });
});

describe("claims", () => {
  it.each([
    ["not a JWT", { kind: "raw", value: "nope" }, "ERR_TOKEN_MALFORMED"],
    ["undefined", { kind: "raw", value: undefined }, "ERR_TOKEN_MALFORMED"],
    ["no exp", { kind: "token", claims: { exp: undefined } }, "ERR_TOKEN_MISSING_EXP"],
    ["already expired", { kind: "token", lifetimeSec: -60 }, "ERR_TOKEN_EXPIRED"],
  ] as const)("rejects %s with a typed error and no retry", async (_, outcome, code) => {
    const { manager, script } = setup();
    script.next(outcome as never);
    await expect(manager.getToken()).rejects.toMatchObject({ code });
    expect(script.fetcher).toHaveBeenCalledTimes(1);
  });

  it("checks the expected issuer and applicationID as the Convex backend does", async () => {
    const { manager } = setup({ issuer: "issuer.test/", applicationID: "convex" });
    await expect(manager.getToken()).resolves.toBeTypeOf("string"); // https:// added, trailing slash ignored
    const other = setup({ issuer: "https://other.test" }).manager;
    await expect(other.getToken()).rejects.toMatchObject({ code: "ERR_TOKEN_ISSUER_MISMATCH" });
    const aud = setup({ applicationID: "my-app" }).manager;
    const error = await aud.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect((error as Error).message).toMatch(/No auth provider found matching the given token/);
  });

  it("warns once about a missing iat and still serves the token", async () => {
    const { manager, script, of } = setup();
    script.next({ kind: "token", claims: { iat: undefined } }, { kind: "token", claims: { iat: undefined } });
    expect(await manager.getToken()).toBe(script.issued[0]);
    await manager.refresh();
    expect(of("warning").map((w) => w.code)).toEqual(["WARN_TOKEN_MISSING_IAT"]);
  });

  it("corrects a local clock 2 minutes fast, so 60-second tokens still work (koala73/worldmonitor#5932)", async () => {
    const { manager, script, of } = setup();
    script.always({ kind: "token", lifetimeSec: 60, iatOffsetSec: -120 });
    const token = await manager.getToken();
    expect(token).toBe(script.issued[0]);
    expect(manager.getSnapshot().clockSkewMs).toBe(120_000);
    expect(of("warning").map((w) => w.code)).toContain("WARN_CLOCK_SKEW");
    // One lifetime later it has refreshed once, not looped.
    await fake.advance(60_000);
    expect(script.fetcher.mock.calls.length).toBeLessThanOrEqual(3);
  });

  it("warns when iat is ahead of the local clock", async () => {
    const { manager, script, of } = setup();
    script.next({ kind: "token", iatOffsetSec: 30 });
    await manager.getToken();
    expect(of("warning").map((w) => w.code)).toContain("WARN_TOKEN_IAT_IN_FUTURE");
    expect(manager.getSnapshot().clockSkewMs).toBe(-30_000);
  });
});

describe("signOut and dispose", () => {
  it("aborts the fetch in flight and drops its late result (invariant 3; logto-io/kotlin#253)", async () => {
    const { manager, script, of } = setup();
    let resolveLate!: (token: string) => void;
    script.fetcher.mockImplementationOnce(async (context) => {
      script.calls.push(context);
      return new Promise<string>((resolve) => (resolveLate = resolve));
    });
    const pending = manager.getToken();
    await fake.advance(0);
    manager.signOut();
    expect(script.calls[0]!.signal.aborted).toBe(true);
    await expect(pending).resolves.toBeNull();
    resolveLate(mintToken());
    await fake.advance(0);
    expect(await manager.getToken()).toBeNull();
    expect(of("token")).toEqual([]);
    expect(of("discarded")).toEqual([{ outcome: "token" }]);
    expect(fake.pending).toBe(0);
  });

  it("returns null until start(), then fetches again", async () => {
    const { manager, script } = setup();
    await manager.getToken();
    manager.signOut();
    expect(await manager.getToken()).toBeNull();
    expect(await manager.refresh()).toBeNull();
    await fake.advance(60 * MIN);
    expect(script.fetcher).toHaveBeenCalledTimes(1);
    manager.start();
    expect(await manager.getToken()).toBe(script.issued[1]);
  });

  it("dispose leaves no timer and rejects later calls", async () => {
    const { manager, script } = setup();
    script.next({ kind: "hang" });
    const pending = manager.getToken();
    manager.dispose();
    await expect(pending).rejects.toBeInstanceOf(TokenManagerDisposedError);
    expect(fake.pending).toBe(0);
    await expect(manager.getToken()).rejects.toMatchObject({ code: "ERR_TOKEN_MANAGER_DISPOSED" });
    expect(() => manager.start()).toThrow(TokenManagerDisposedError);
  });
});

describe("snapshot and events", () => {
  it("keeps the same snapshot object until something changes", async () => {
    const { manager } = setup();
    const listener = vi.fn();
    const unsubscribe = manager.subscribe(listener);
    const idle = manager.getSnapshot();
    expect(manager.getSnapshot()).toBe(idle);
    expect(idle).toMatchObject({ status: "idle", hasToken: false });
    await manager.getToken();
    const valid = manager.getSnapshot();
    expect(valid).not.toBe(idle);
    expect(valid).toMatchObject({ status: "valid", hasToken: true, subject: "user_1", failures: 0 });
    await manager.getToken();
    expect(manager.getSnapshot()).toBe(valid);
    expect(listener).toHaveBeenCalledTimes(2); // fetching, valid
    unsubscribe();
    manager.signOut();
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it("never puts a whole token in an event, a snapshot or a log line (invariant 7)", async () => {
    const lines: string[] = [];
    const logger = {
      debug: (l: string) => lines.push(l),
      warn: (l: string) => lines.push(l),
      error: (l: string) => lines.push(l),
    };
    const { manager, script, events } = setup({ logger });
    script.next({ kind: "token", claims: { iat: undefined } }, { kind: "raw", value: "x.y.z" });
    await manager.getToken();
    await manager.refresh().catch(() => {});
    await fake.advance(20 * MIN);
    const text = JSON.stringify(events) + JSON.stringify(manager.getSnapshot()) + lines.join("\n");
    for (const token of script.issued) expect(text).not.toContain(token);
    expect(lines.length).toBeGreaterThan(0);
  });
});

const signedOutFetcher = async (): Promise<null> => null;

describe("options", () => {
  it.each([
    [{}, /fetchToken/],
    [{ fetchToken: signedOutFetcher, refreshLeewayMs: -1 }, /refreshLeewayMs/],
    [{ fetchToken: signedOutFetcher, refreshLeewayMs: 400 * 24 * 3600_000 }, /refreshLeewayMs/],
    [{ fetchToken: signedOutFetcher, fetchTimeoutMs: 0 }, /fetchTimeoutMs/],
    [{ fetchToken: signedOutFetcher, retry: { attempts: 0 } }, /retry\.attempts/],
    [{ fetchToken: signedOutFetcher, retry: { baseDelayMs: 5_000, maxDelayMs: 1_000 } }, /retry\.maxDelayMs/],
    [{ fetchToken: signedOutFetcher, issuer: "" }, /issuer/],
  ])("rejects bad options with a TypeError naming the option (%#)", (options, name) => {
    expect(() => createTokenManager(options as TokenManagerOptions)).toThrow(TypeError);
    expect(() => createTokenManager(options as TokenManagerOptions)).toThrow(name);
  });

  it("uses an injected clock instead of the globals", async () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    const pending = new Map<number, { at: number; fn: () => void }>();
    let handles = 0;
    const clock = {
      now: () => now,
      setTimeout: (fn: () => void, ms: number) => (pending.set(++handles, { at: now + ms, fn }), handles),
      clearTimeout: (handle: unknown) => void pending.delete(handle as number),
      random: () => 0,
    };
    const token = mintToken(900, { iatOffsetSec: Math.floor((now - fake.now()) / 1000) });
    const manager = createTokenManager({ fetchToken: async () => token, clock });
    managers.push(manager);
    await manager.getToken();
    const { expiresAt, nextFetchAt } = manager.getSnapshot();
    expect(expiresAt! - nextFetchAt!).toBe(60_000); // random() = 0 → exactly at the leeway
    expect(pending.size).toBe(1);
    now += 1;
  });
});
