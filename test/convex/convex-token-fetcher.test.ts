/**
 * convexTokenFetcher's contract with Convex (notes/convex-auth-internals.md, "Pitfalls"), and
 * connectConvex with ConvexReactClient, against the real client.
 */
import { ConvexReactClient } from "convex/react";
import { anyApi } from "convex/server";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import { connectConvex, convexTokenFetcher } from "../../src/convex/index";
import { createTokenManager, httpTokenFetcher, type TokenManager } from "../../src/index";
import { httpError, scriptedFetcher } from "../support/manager-harness";
import { quietLogger } from "./quiet-logger";
import { startLocalStack } from "../support/stack";
import { useCleanups } from "../support/cleanups";
import { useIntegrationClock } from "../support/time";

const cleanups = useCleanups();

describe("convexTokenFetcher", () => {
  let manager: TokenManager;
  let script: ReturnType<typeof scriptedFetcher>;
  beforeEach(() => {
    vi.useFakeTimers();
    script = scriptedFetcher();
    manager = createTokenManager({ fetchToken: script.fetcher });
    cleanups.push(
      () => vi.useRealTimers(),
      () => manager.dispose(),
    );
  });

  it("answers forceRefreshToken: false with null, so Convex's start costs one fetch (convex-js#60)", async () => {
    const fetchToken = convexTokenFetcher(manager);
    await expect(fetchToken({ forceRefreshToken: false })).resolves.toBeNull();
    expect(script.fetcher).not.toHaveBeenCalled();
    await expect(fetchToken({ forceRefreshToken: true })).resolves.toBe(script.issued[0]);
    expect(script.fetcher).toHaveBeenCalledTimes(1);
  });

  it("never yields the token the client already holds on a forced call (get-convex/convex-js#184)", async () => {
    const fetchToken = convexTokenFetcher(manager);
    const held = new Set<string | null | undefined>();
    for (let i = 0; i < 5; i++) {
      const token = await fetchToken({ forceRefreshToken: true });
      expect(held.has(token)).toBe(false);
      held.add(token);
    }
  });

  it("hands an old token only after refreshing it, so Convex's own refetch lands before exp", async () => {
    await manager.getToken();
    await vi.advanceTimersByTimeAsync(60_000); // the manager's token is now a minute old
    const fetchToken = convexTokenFetcher(manager);
    const token = await fetchToken({ forceRefreshToken: true });
    expect(token).toBe(script.issued[1]);
  });

  it(
    "never throws: a failing manager resolves null once " + "its policy gives up (get-convex/convex-auth#363)",
    async () => {
      script.always({ kind: "throw", error: new TypeError("fetch failed") });
      const fetchToken = convexTokenFetcher(manager);
      const result = fetchToken({ forceRefreshToken: true });
      await vi.advanceTimersByTimeAsync(60_000);
      await expect(result).resolves.toBeNull();
      manager.dispose();
      await expect(fetchToken({ forceRefreshToken: true })).resolves.toBeNull();
    },
  );

  it(
    "never hangs: with no token held, a hung endpoint is answered null after the manager's fetchTimeoutMs " +
      "(convex-auth#363)",
    async () => {
      script.next({ kind: "hang" });
      const fetchToken = convexTokenFetcher(manager);
      let settled = false;
      const result = fetchToken({ forceRefreshToken: true }).finally(() => (settled = true));
      await vi.advanceTimersByTimeAsync(9_999);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      await expect(result).resolves.toBeNull();
    },
  );

  it("resolves null after signOut, so Convex's scheduled refetch cannot bring the user back", async () => {
    const fetchToken = convexTokenFetcher(manager);
    await fetchToken({ forceRefreshToken: true });
    manager.signOut();
    await expect(fetchToken({ forceRefreshToken: true })).resolves.toBeNull();
  });

  it("is one stable function per client (ConvexProviderWithAuth re-authenticates on a new identity)", () => {
    const fetchToken = convexTokenFetcher(manager);
    expect(typeof fetchToken).toBe("function");
    expect(typeof fetchToken.onRefreshChange).toBe("function");
    expect(() => convexTokenFetcher(manager, { authRefreshTokenLeewaySeconds: -1 })).toThrow(
      /authRefreshTokenLeewaySeconds/,
    );
  });
});

/**
 * During an outage Convex must not be told `null` while a valid token is held (Convex signs the user out on
 * `null`: peer pain point 6, "a transient failure is treated as sign-out", mmailaender/convex-better-auth-svelte#35),
 * and it must get an answer within about one fetch timeout (it pauses its socket meanwhile: every query waits).
 */
describe("convexTokenFetcher during an outage", () => {
  const failures = {
    "503s": { kind: "throw", error: httpError(503) },
    "Retry-After: 86400": { kind: "throw", error: httpError(503, 86_400_000) },
    "a hung endpoint": { kind: "hang" },
    "a network error": { kind: "throw", error: new TypeError("fetch failed") },
  } as const;

  for (const [name, outcome] of Object.entries(failures)) {
    it(`answers with the held token within the manager's fetchTimeoutMs, never null, with ${name}`, async () => {
      vi.useFakeTimers();
      const script = scriptedFetcher({ kind: "token", lifetimeSec: 3_600 });
      const manager = createTokenManager({ fetchToken: script.fetcher, fetchTimeoutMs: 10_000 });
      cleanups.push(
        () => vi.useRealTimers(),
        () => manager.dispose(),
      );
      const fetchToken = convexTokenFetcher(manager);
      const first = await fetchToken({ forceRefreshToken: true });
      expect(first).toBe(script.issued[0]);
      script.always(outcome);

      // Forced calls, both as Convex's rejection path (early, same token held) and as a new client's start.
      for (const fetcher of [fetchToken, convexTokenFetcher(manager)]) {
        await vi.advanceTimersByTimeAsync(60_000);
        const started = Date.now();
        let answeredAt = 0;
        const answer = fetcher({ forceRefreshToken: true }).then((token) => ((answeredAt = Date.now()), token));
        await vi.advanceTimersByTimeAsync(11_000);
        await expect(answer).resolves.toBe(first);
        expect(answeredAt - started).toBeLessThanOrEqual(10_000);
      }
      expect(manager.getSnapshot().hasToken).toBe(true);
    });
  }

  it("answers null once the held token is no longer valid (nothing valid is held)", async () => {
    vi.useFakeTimers();
    const script = scriptedFetcher({ kind: "token", lifetimeSec: 120 });
    const manager = createTokenManager({ fetchToken: script.fetcher });
    cleanups.push(
      () => vi.useRealTimers(),
      () => manager.dispose(),
    );
    const fetchToken = convexTokenFetcher(manager);
    await fetchToken({ forceRefreshToken: true });
    script.always({ kind: "throw", error: httpError(503) });
    await vi.advanceTimersByTimeAsync(125_000);
    const answer = fetchToken({ forceRefreshToken: true });
    await vi.advanceTimersByTimeAsync(11_000);
    await expect(answer).resolves.toBeNull();
  });

  it("rejects answerWithinMs, an option that is gone, with a TypeError naming it", () => {
    const manager = createTokenManager({ fetchToken: async () => null });
    cleanups.push(() => manager.dispose());
    expect(() => convexTokenFetcher(manager, { answerWithinMs: 0 } as never)).toThrow(/answerWithinMs/);
    expect(() => convexTokenFetcher({} as never)).toThrow(TypeError);
    expect(() => convexTokenFetcher({} as never)).toThrow(/`manager` must be a token manager/);
  });
});

describe("connectConvex with ConvexReactClient", () => {
  it("authenticates with one fetch and one Authenticate, and signs out with Authenticate None", async () => {
    const clock = useIntegrationClock();
    cleanups.push(() => clock.restore());
    const stack = await startLocalStack();
    cleanups.push(() => stack.close());
    const manager = createTokenManager({ fetchToken: httpTokenFetcher({ url: stack.endpoint.tokenUrl }) });
    cleanups.push(() => manager.dispose());
    const client = new ConvexReactClient(stack.deployment.url, {
      skipConvexDeploymentUrlCheck: true,
      webSocketConstructor: WebSocket as never,
      logger: quietLogger,
    });
    cleanups.push(() => client.close());
    const watch = client.watchQuery(anyApi.auth!.whoami!, {});
    let who: unknown;
    cleanups.push(
      watch.onUpdate(() => (who = (watch.localQueryResult() as { subject?: string } | null)?.subject ?? null)),
    );
    const changes: boolean[] = [];
    cleanups.push(connectConvex(client, manager, { onChange: (v) => changes.push(v) }));
    await clock.until(() => who === "user_1");
    expect(stack.endpoint.requests).toBe(1);
    expect(stack.deployment.authenticates.map((a) => a.tokenType)).toEqual(["User"]);
    manager.signOut();
    await clock.until(() => who === null);
    expect(stack.deployment.authenticates.map((a) => a.tokenType)).toEqual(["User", "None"]);
    expect(changes.at(-1)).toBe(false);
  });
});
