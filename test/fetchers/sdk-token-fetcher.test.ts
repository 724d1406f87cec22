/**
 * sdkTokenFetcher over a fake SDK that caches its token the way Firebase's `getIdToken(forceRefresh)` does
 * (served from cache until 5 minutes before `exp`; `forceRefresh` bypasses it), driven by a TokenManager on
 * the FakeClock. Guards the two mistakes of hand-written SDK wrappers: every error mapped to `null` (a sticky
 * sign-out, convex-backend #523, @convex-dev/workos) and a forced refresh answered from the cache (Convex
 * de-authenticates on the same string, convex-js #184).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TokenManager } from "../../src/core/token-manager";
import type { FetchContext, FetchReason } from "../../src/core/types";
import { sdkTokenFetcher, type SdkTokenRequest } from "../../src/fetchers/sdk-token-fetcher";
import { createFakeClock, type FakeClock } from "../../src/testing/fake-clock";
import { unsignedJwt } from "../../src/testing/unsigned-jwt";

const MIN = 60_000;
let clock: FakeClock;
const managers: TokenManager[] = [];

beforeEach(() => {
  clock = createFakeClock({ now: Date.parse("2026-03-01T00:00:00Z") });
});
afterEach(() => {
  for (const manager of managers.splice(0)) manager.dispose();
});

/** A Firebase-like SDK: one-hour tokens, cached until 5 minutes before exp, `forceRefresh` mints anew. */
class FakeSdk {
  minted = 0;
  requests: SdkTokenRequest[] = [];
  signedIn = true;
  /** Thrown by the next network call instead of minting. */
  failWith: unknown[] = [];
  #cached: { token: string; exp: number } | undefined;

  getIdToken = async (request: SdkTokenRequest): Promise<string | null> => {
    this.requests.push(request);
    if (!this.signedIn) return null;
    const nowSec = Math.floor(clock.now() / 1000);
    if (!request.forceRefresh && this.#cached && this.#cached.exp - nowSec > 5 * 60) return this.#cached.token;
    const failure = this.failWith.shift();
    if (failure !== undefined) throw failure;
    this.minted++;
    const token = unsignedJwt({ sub: "uid_1", iat: nowSec, exp: nowSec + 3600, n: this.minted });
    this.#cached = { token, exp: nowSec + 3600 };
    return token;
  };
}

function managerOver(sdk: FakeSdk, options: Partial<Parameters<typeof sdkTokenFetcher>[0]> = {}) {
  const manager = new TokenManager({
    clock,
    fetchToken: sdkTokenFetcher({ getToken: sdk.getIdToken, ...options }),
    retry: { baseDelayMs: 1_000, maxDelayMs: 30_000 },
  });
  managers.push(manager);
  return manager;
}

const networkError = () =>
  Object.assign(new Error("Firebase: Error (auth/network-request-failed)."), {
    code: "auth/network-request-failed",
  });

describe("sdkTokenFetcher: the cache bypass follows the manager's reason", () => {
  it("only a forced fetch bypasses the SDK's cache, and it gets a newly minted token", async () => {
    const sdk = new FakeSdk();
    const manager = managerOver(sdk);
    const first = await manager.getToken();
    expect(sdk.requests.map((r) => [r.reason, r.forceRefresh])).toEqual([["initial", false]]);
    const forced = await manager.getToken({ forceRefresh: true });
    expect(forced).not.toBe(first);
    expect(sdk.requests.at(-1)).toMatchObject({ reason: "forced", forceRefresh: true });
    expect(sdk.minted).toBe(2);
  });

  it("rotates for 6 simulated hours with one SDK mint per rotation and never an expired token", async () => {
    const sdk = new FakeSdk();
    const manager = managerOver(sdk);
    await manager.getToken();
    let expired = 0;
    for (let t = 0; t < 6 * 60; t++) {
      await clock.advance(MIN);
      const token = await manager.getToken();
      const { exp } = JSON.parse(Buffer.from(token!.split(".")[1]!, "base64url").toString()) as { exp: number };
      if (exp * 1000 <= clock.now()) expired++;
    }
    expect(expired).toBe(0);
    // 6 hours of 1-hour tokens: the first plus one per rotation (the manager learns where the SDK mints).
    expect(sdk.minted).toBeGreaterThanOrEqual(6);
    expect(sdk.minted).toBeLessThanOrEqual(7);
    // The cache-served answers the manager's learning costs stay bounded (at most one per rotation).
    expect(sdk.requests.length - sdk.minted).toBeLessThanOrEqual(7);
  });

  it("a custom bypassCache decides; one that throws falls back to the default", async () => {
    const sdk = new FakeSdk();
    const manager = managerOver(sdk, { bypassCache: (c: FetchContext) => c.reason !== "initial" });
    await manager.getToken();
    await clock.advance(60 * MIN);
    await manager.getToken();
    expect(sdk.requests.map((r) => [r.reason, r.forceRefresh])).toContainEqual(["scheduled", true]);

    const other = new FakeSdk();
    const throwing = managerOver(other, {
      bypassCache: () => {
        throw new Error("app bug");
      },
    });
    await throwing.getToken();
    await throwing.getToken({ forceRefresh: true });
    expect(other.requests.map((r) => r.forceRefresh)).toEqual([false, true]);
  });
});

describe("sdkTokenFetcher: signed out versus a failure that passes", () => {
  it("a network error is retried and the user stays signed in (never mapped to null)", async () => {
    const sdk = new FakeSdk();
    sdk.failWith.push(networkError(), networkError());
    const manager = managerOver(sdk);
    const signedOut: unknown[] = [];
    manager.on("signedOut", (e) => signedOut.push(e));
    const pending = manager.getToken();
    await clock.advance(MIN);
    await expect(pending).resolves.toMatch(/\./);
    expect(signedOut).toEqual([]);
    expect(manager.getSnapshot().status).toBe("valid");
    expect(sdk.requests.map((r) => [r.reason, r.attempt])).toEqual([
      ["initial", 1],
      ["retry", 2],
      ["retry", 3],
    ]);
  });

  it("an error the classifier knows as signed out signs the manager out, once, without retrying", async () => {
    const sdk = new FakeSdk();
    sdk.failWith.push(
      Object.assign(new Error("Firebase: Error (auth/user-token-expired)."), { code: "auth/user-token-expired" }),
    );
    const manager = managerOver(sdk);
    await expect(manager.getToken()).resolves.toBeNull();
    expect(manager.getSnapshot().status).toBe("signedOut");
    expect(sdk.requests).toHaveLength(1);
  });

  it("the app's classifier overrides the default, and one that throws never signs anyone out", async () => {
    class LoginRequiredError extends Error {}
    const sdk = new FakeSdk();
    sdk.failWith.push(new LoginRequiredError("No access token available"));
    const manager = managerOver(sdk, { isSignedOut: (e) => e instanceof LoginRequiredError });
    await expect(manager.getToken()).resolves.toBeNull();

    const other = new FakeSdk();
    other.failWith.push(new LoginRequiredError("No access token available"));
    const guarded = managerOver(other, {
      isSignedOut: () => {
        throw new Error("classifier bug");
      },
    });
    const pending = guarded.getToken();
    await clock.advance(MIN);
    await expect(pending).resolves.toMatch(/\./);
    expect(guarded.getSnapshot().status).toBe("valid");
  });

  it.each([null, undefined, ""])("the SDK answering %j means signed out", async (answer) => {
    const manager = new TokenManager({ clock, fetchToken: sdkTokenFetcher({ getToken: async () => answer }) });
    managers.push(manager);
    await expect(manager.getToken()).resolves.toBeNull();
    expect(manager.getSnapshot().status).toBe("signedOut");
  });

  it("an error while the fetch is aborted is rethrown, never read as a sign-out", async () => {
    const controller = new AbortController();
    const fetcher = sdkTokenFetcher({
      getToken: async () => {
        controller.abort();
        throw Object.assign(new Error("login"), { error: "login_required" });
      },
    });
    const reason: FetchReason = "scheduled";
    await expect(fetcher({ signal: controller.signal, reason, attempt: 1 })).rejects.toThrow("login");
  });
});

const noToken = async (): Promise<null> => null;

describe("sdkTokenFetcher: options", () => {
  it.each<[unknown, string]>([
    [undefined, "`getToken` is required"],
    [{}, "`getToken` is required"],
    [{ getToken: noToken, isSignedOut: true }, "`isSignedOut` must be a function"],
    [{ getToken: noToken, bypassCache: "forced" }, "`bypassCache` must be a function"],
  ])("%j throws a TypeError naming the option", (options, message) => {
    expect(() => sdkTokenFetcher(options as never)).toThrow(TypeError);
    expect(() => sdkTokenFetcher(options as never)).toThrow(message);
  });
});
