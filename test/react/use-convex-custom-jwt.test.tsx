// @vitest-environment jsdom
/**
 * useConvexCustomJwt on its own: a real TokenManager with a scripted fetcher under vitest's fake timers.
 */
import { act, renderHook } from "@testing-library/react";
import { StrictMode, type ReactNode } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createTokenManager, type TokenManager } from "../../src/index";
import { useConvexCustomJwt } from "../../src/react/index";
import { httpError, scriptedFetcher } from "../support/manager-harness";
import { countingSource } from "./world";

let manager: TokenManager | undefined;
beforeEach(() => {
  // Fixed jitter: these tests are about what the UI shows at each step, and a backoff that jitters to 0 ms
  // (Math.random() near 0) would run the retries inside one step. The core's tests cover the jitter itself.
  vi.spyOn(Math, "random").mockReturnValue(0.5);
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
});
afterEach(() => {
  vi.restoreAllMocks();
  manager?.dispose();
  manager = undefined;
  vi.useRealTimers();
});

function setup() {
  const script = scriptedFetcher();
  manager = createTokenManager({ fetchToken: script.fetcher });
  return { script, manager, source: countingSource(manager) };
}

const strict = ({ children }: { children: ReactNode }) => <StrictMode>{children}</StrictMode>;
const flush = () => act(() => vi.advanceTimersByTimeAsync(0));
/** Fake the monotonic clock too, so the manager's time moves with the timers (retries, expiry). */
const fakeAllTime = () =>
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date", "performance"] });

describe("useConvexCustomJwt", () => {
  it("starts an idle manager once, even under StrictMode, and reports loading until the token arrives", async () => {
    const { script, source } = setup();
    const { result } = renderHook(() => useConvexCustomJwt(source), { wrapper: strict });
    expect(result.current).toMatchObject({ isLoading: true, isAuthenticated: false });
    await flush();
    expect(script.fetcher).toHaveBeenCalledTimes(1);
    expect(result.current).toMatchObject({
      isLoading: false,
      isAuthenticated: true,
      status: "valid",
      subject: "user_1",
      error: null,
    });
    expect(result.current.expiresAt).toBe(manager!.getSnapshot().expiresAt);
  });

  // Pain point: a new fetchAccessToken identity makes ConvexProviderWithAuth clear auth and re-authenticate.
  it("keeps fetchAccessToken's identity across re-renders and token rotations", async () => {
    const { source } = setup();
    const { result, rerender } = renderHook(() => useConvexCustomJwt(source));
    await flush();
    const first = result.current.fetchAccessToken;
    const state = result.current;
    rerender();
    expect(result.current).toBe(state); // nothing changed: the same object, no re-render downstream
    await act(() => manager!.refresh());
    expect(result.current).not.toBe(state);
    expect(result.current.fetchAccessToken).toBe(first);
  });

  it("does not restart a signed-out manager, and reports the fetcher's failure", async () => {
    const { script, source } = setup();
    script.next({ kind: "null" });
    const { result } = renderHook(() => useConvexCustomJwt(source));
    await flush();
    expect(result.current).toMatchObject({
      isLoading: false,
      isAuthenticated: false,
      status: "signedOut",
      subject: null,
      expiresAt: null,
    });
    const { result: again } = renderHook(() => useConvexCustomJwt(source));
    await flush();
    expect(again.current.status).toBe("signedOut");
    expect(script.fetcher).toHaveBeenCalledTimes(1);

    script.next({ kind: "throw", error: new Error("endpoint down") });
    act(() => manager!.start());
    await flush();
    expect(result.current).toMatchObject({ isLoading: true, status: "retrying" });
    expect((result.current.error as Error).message).toBe("endpoint down");
  });

  // Issue 14; pain point 6 (a transient failure shown as a sign-out): while the manager still tries, the UI
  // says loading; once its retry policy gave up (`exhausted`: Convex is answered null), it says signed out.
  it("shows loading, never signed out, while the manager retries 503s; signed out once it gives up", async () => {
    fakeAllTime();
    const { script, source } = setup();
    script.always({ kind: "throw", error: httpError(503) });
    const seen: string[] = [];
    const { result } = renderHook(() => {
      const state = useConvexCustomJwt(source);
      seen.push(state.isLoading ? "loading" : state.isAuthenticated ? "in" : "out");
      return state;
    });
    await flush();
    while (!manager!.getSnapshot().exhausted) await act(() => vi.advanceTimersByTimeAsync(1_000));
    expect(script.fetcher).toHaveBeenCalledTimes(4); // the default retry.attempts
    expect(seen.slice(0, -1).every((shown) => shown === "loading")).toBe(true);
    expect(result.current).toMatchObject({ isLoading: false, isAuthenticated: false, status: "retrying" });
    // A background try brings a token: signed in.
    script.always({ kind: "token" });
    await act(() => vi.advanceTimersByTimeAsync(5 * 60_000));
    expect(result.current).toMatchObject({ isLoading: false, isAuthenticated: true, status: "valid" });
  });

  it("with a token held, a failing refresh keeps it signed in, then loading once the token expires", async () => {
    fakeAllTime();
    const { script, source } = setup();
    script.next({ kind: "token", lifetimeSec: 120 });
    const seen: string[] = [];
    const { result } = renderHook(() => {
      const state = useConvexCustomJwt(source);
      seen.push(state.isLoading ? "loading" : state.isAuthenticated ? "in" : "out");
      return state;
    });
    await flush();
    expect(result.current.isAuthenticated).toBe(true);
    script.always({ kind: "hang" }); // every fetch times out (10 s), and is retried
    await act(() => vi.advanceTimersByTimeAsync(120_000)); // exp; a fetch under way may hold the token
    for (let s = 0; s < 30 && manager!.getSnapshot().hasToken; s++) await act(() => vi.advanceTimersByTimeAsync(1_000));
    expect(manager!.getSnapshot()).toMatchObject({ hasToken: false, exhausted: false });
    expect(result.current).toMatchObject({ isLoading: true, isAuthenticated: false });
    expect(seen).not.toContain("out");
  });

  it("Retry-After: 86400 with no token held: signed out at once (the manager's next try is an hour away)", async () => {
    fakeAllTime();
    const { script, source } = setup();
    script.next({ kind: "throw", error: httpError(503, 86_400_000) });
    const { result } = renderHook(() => useConvexCustomJwt(source));
    await flush();
    expect(manager!.getSnapshot()).toMatchObject({ status: "retrying", exhausted: true });
    expect(result.current).toMatchObject({ isLoading: false, isAuthenticated: false });
    await act(() => vi.advanceTimersByTimeAsync(60 * 60_000)); // Retry-After is capped at an hour
    expect(result.current).toMatchObject({ isLoading: false, isAuthenticated: true });
  });

  it("fetchAccessToken obeys Convex's contract: null when not forced, a token when forced, never a throw", async () => {
    const { script, source } = setup();
    const { result } = renderHook(() => useConvexCustomJwt(source));
    await flush();
    const fetchAccessToken = result.current.fetchAccessToken;
    await expect(fetchAccessToken({ forceRefreshToken: false })).resolves.toBeNull();
    const handed = await fetchAccessToken({ forceRefreshToken: true });
    expect(handed).toBe(script.issued[0]); // young enough: no second fetch
    expect(script.fetcher).toHaveBeenCalledTimes(1);
    // Asked again long before the held token's end (a server rejection): a newly minted token.
    const fresh = fetchAccessToken({ forceRefreshToken: true });
    await flush();
    await expect(fresh).resolves.toBe(script.issued[1]);
    // A failing fetch never reaches Convex as a rejection: after a server rejection the answer is the
    // manager's still-valid token (Convex counts its own token as a failed re-authentication, like null).
    script.always({ kind: "throw", error: Object.assign(new Error("bad"), { status: 400 }) });
    const failed = fetchAccessToken({ forceRefreshToken: true });
    await act(() => vi.advanceTimersByTimeAsync(10 * 60_000));
    await expect(failed).resolves.toBe(script.issued[1]);
  });

  it(
    "waits for the manager's own rotation when Convex's " + "scheduled refetch comes first (one fetch, not two)",
    async () => {
      const { script, source } = setup();
      // Convex's leeway (100 s) larger than the manager's (60 s + up to 30 s of jitter).
      const { result } = renderHook(() => useConvexCustomJwt(source, { authRefreshTokenLeewaySeconds: 100 }));
      await flush();
      const fetchAccessToken = result.current.fetchAccessToken;
      expect(await fetchAccessToken({ forceRefreshToken: true })).toBe(script.issued[0]);
      await act(() => vi.advanceTimersByTimeAsync(900_000 - 100_000)); // Convex's refetch: 100 s before exp
      expect(script.fetcher).toHaveBeenCalledTimes(1);
      const next = fetchAccessToken({ forceRefreshToken: true });
      await act(() => vi.advanceTimersByTimeAsync(45_000)); // the manager rotates 60–90 s before exp
      await expect(next).resolves.toBe(script.issued[1]);
      expect(script.fetcher).toHaveBeenCalledTimes(2);
      expect(script.calls[1]?.reason).toBe("scheduled"); // the manager's rotation, not a forced extra fetch
      await act(() => vi.advanceTimersByTimeAsync(60_000));
      expect(script.fetcher).toHaveBeenCalledTimes(2);
    },
  );

  // Pain point (Convex's ConvexProviderWithAuth): after unmount, Convex's scheduled refetch calls the same
  // fetcher and signs the client back in.
  it("answers null once unmounted, and leaves no subscription behind", async () => {
    const { source } = setup();
    const { result, unmount } = renderHook(() => useConvexCustomJwt(source), { wrapper: strict });
    await flush();
    const fetchAccessToken = result.current.fetchAccessToken;
    await expect(fetchAccessToken({ forceRefreshToken: true })).resolves.toMatch(/^ey/);
    expect(source.live()).toBeGreaterThan(0);
    unmount();
    expect(source.live()).toBe(0);
    await expect(fetchAccessToken({ forceRefreshToken: true })).resolves.toBeNull();
  });

  it("rejects what is not a token manager with a TypeError naming the hook and the argument", () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(() => renderHook(() => useConvexCustomJwt({} as never))).toThrow(
      /^useConvexCustomJwt: `manager` must be a token manager .*Pass the manager your app created/,
    );
  });

  it("rejects a bad leeway with a TypeError naming the option", () => {
    const { source } = setup();
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(() => renderHook(() => useConvexCustomJwt(source, { authRefreshTokenLeewaySeconds: -1 }))).toThrow(
      /authRefreshTokenLeewaySeconds/,
    );
  });
});
