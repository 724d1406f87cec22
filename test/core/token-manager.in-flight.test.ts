/**
 * Invariant 2 with a fetcher that ignores its aborted `signal` (a property-test counterexample): the manager
 * cannot stop the app's code, so after `signOut()` and `start()` the new fetcher call waits for the old one to
 * settle, up to that call's own deadline (`fetchTimeoutMs` after it began); sign-out stays immediate for
 * callers. Pain point: two refreshes in flight spend a rotating refresh token twice (authts/oidc-client-ts#1618).
 */
import { describe, expect, it } from "vitest";
import type { FetchContext } from "../../src/index";
import { mintToken, useManagerWorld } from "../support/manager-harness";

const S = 1_000;
const world = useManagerWorld({ random: () => 0.5 });

/** A fetcher that ignores its signal: each call settles only when the test says (or never). */
function deafFetcher() {
  const calls: { context: FetchContext; resolve: (token: string) => void; startedAt: number }[] = [];
  let inFlight = 0;
  let most = 0;
  const fetchToken = (context: FetchContext) =>
    new Promise<string>((resolve) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      const settle = (token: string) => {
        inFlight -= 1;
        resolve(token);
      };
      calls.push({ context, resolve: settle, startedAt: world.clock.monotonicNow() });
    });
  return { fetchToken, calls, most: () => most };
}

describe("a fetcher that ignores its aborted signal", () => {
  it("signOut() then start(): the second call waits for the first to settle (was 2 in flight)", async () => {
    const deaf = deafFetcher();
    const { manager } = world.managed({ fetchToken: deaf.fetchToken });
    const first = manager.getToken();
    await world.clock.advance(0);
    manager.signOut();
    expect(await first).toBeNull(); // sign-out is immediate for callers
    manager.start();
    const second = manager.getToken();
    await world.clock.advance(2 * S);
    expect(deaf.calls).toHaveLength(1); // the first call is still running: no second one yet
    expect(manager.getSnapshot().status).toBe("fetching");
    deaf.calls[0]!.resolve(mintToken()); // the late result is dropped...
    await world.clock.advance(0);
    expect(deaf.calls).toHaveLength(2); // ...and the second call starts at once
    expect(deaf.calls[1]!.context.signal.aborted).toBe(false);
    deaf.calls[1]!.resolve(mintToken());
    expect(await second).toBeTypeOf("string");
    expect(deaf.most()).toBe(1);
  });

  it("a first call that never settles holds the next one back until its deadline only", async () => {
    const deaf = deafFetcher();
    const { manager } = world.managed({ fetchToken: deaf.fetchToken, fetchTimeoutMs: 5 * S });
    void manager.getToken();
    await world.clock.advance(S);
    manager.signOut();
    manager.start();
    await world.clock.advance(4 * S - 1);
    expect(deaf.calls).toHaveLength(1);
    await world.clock.advance(1); // 5 s after the first call began: abandoned
    expect(deaf.calls.map((c) => c.startedAt)).toEqual([0, 5 * S]);
    deaf.calls[1]!.resolve(mintToken());
    await world.clock.advance(0);
    expect(manager.getSnapshot()).toMatchObject({ status: "valid", hasToken: true });
    expect(world.clock.pending).toBe(1); // one timer: the refresh
  });

  it("signOut() while the second call waits: it is never made", async () => {
    const deaf = deafFetcher();
    const { manager } = world.managed({ fetchToken: deaf.fetchToken });
    void manager.getToken();
    await world.clock.advance(0);
    manager.signOut();
    manager.start();
    manager.signOut();
    deaf.calls[0]!.resolve(mintToken());
    await world.clock.advance(20 * S);
    expect(deaf.calls).toHaveLength(1);
    expect(manager.getSnapshot().status).toBe("signedOut");
    expect(world.clock.pending).toBe(0);
  });
});
