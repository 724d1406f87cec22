/**
 * convexTokenFetcher's contract with Convex (notes/convex-auth-internals.md, "Pitfalls"), and
 * connectConvex with ConvexReactClient, against the real client.
 */
import { ConvexReactClient } from "convex/react";
import { anyApi } from "convex/server";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import { connectConvex, convexTokenFetcher } from "../../src/convex/index";
import { createTokenManager, httpTokenFetcher, type TokenManager } from "../../src/index";
import { scriptedFetcher } from "../support/manager-harness";
import { startLocalStack } from "../support/stack";
import { useIntegrationClock } from "../support/time";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe("convexTokenFetcher", () => {
  let manager: TokenManager;
  let script: ReturnType<typeof scriptedFetcher>;
  beforeEach(() => {
    vi.useFakeTimers();
    script = scriptedFetcher();
    manager = createTokenManager({ fetchToken: script.fetcher });
    cleanups.push(() => vi.useRealTimers(), () => manager.dispose());
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

  it("never throws: a failing manager resolves null once its policy gives up (get-convex/convex-auth#363)", async () => {
    script.always({ kind: "throw", error: new TypeError("fetch failed") });
    const fetchToken = convexTokenFetcher(manager);
    const result = fetchToken({ forceRefreshToken: true });
    await vi.advanceTimersByTimeAsync(60_000);
    await expect(result).resolves.toBeNull();
    manager.dispose();
    await expect(fetchToken({ forceRefreshToken: true })).resolves.toBeNull();
  });

  it("never hangs: a hung endpoint is cut by the fetch timeout and retried", async () => {
    script.next({ kind: "hang" });
    const fetchToken = convexTokenFetcher(manager);
    const result = fetchToken({ forceRefreshToken: true });
    await vi.advanceTimersByTimeAsync(12_000);
    await expect(result).resolves.toBe(script.issued[0]);
  });

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
    expect(() => convexTokenFetcher(manager, { authRefreshTokenLeewaySeconds: -1 })).toThrow(/authRefreshTokenLeewaySeconds/);
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
      logger: false,
    });
    cleanups.push(() => client.close());
    const watch = client.watchQuery(anyApi.auth!.whoami!, {});
    let who: unknown;
    cleanups.push(watch.onUpdate(() => (who = (watch.localQueryResult() as { subject?: string } | null)?.subject ?? null)));
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
