/**
 * The cross-tab coordinator with in-memory Web Locks and BroadcastChannels: many tabs in one test, on one
 * FakeClock. Guards the peers' worst multi-tab failures (peer-token-managers.md, pain points 1–3): tabs
 * racing each other with rotating refresh tokens (supabase/auth-js#213, authts/oidc-client-ts#430) and
 * refresh storms, one fetch per tab per rotation (authts/react-oidc-context#1472).
 */
import { afterEach, describe, expect, it } from "vitest";
import { crossTabFetcher } from "../../src/browser/cross-tab";
import { detectCrossTabEnvironment } from "../../src/browser/cross-tab-channel";
import { createTokenManager } from "../../src/browser/create-token-manager";
import { TokenManager } from "../../src/core/token-manager";
import { createFakeClock, type FakeClock } from "../../src/testing/fake-clock";
import type { TokenFetcher } from "../../src/core/types";
import { countingIssuer, fakeOrigin, mintAt } from "./fake-browser";

const MIN = 60_000;
const managers: TokenManager[] = [];
const teardowns: Array<() => void> = [];

afterEach(() => {
  for (const stop of teardowns.splice(0)) stop();
  for (const manager of managers.splice(0)) manager.dispose();
});

function openTab(
  clock: FakeClock,
  origin: ReturnType<typeof fakeOrigin>,
  key: string,
  fetchToken: TokenFetcher,
  lockWaitMs?: number,
) {
  const crossTab = crossTabFetcher({ key, fetchToken, clock, environment: origin.environment, lockWaitMs })!;
  const manager = new TokenManager({ fetchToken: crossTab.fetchToken, clock });
  const detach = crossTab.attach(manager);
  managers.push(manager);
  teardowns.push(detach);
  const reasons: string[] = [];
  manager.on("refreshing", ({ reason }) => reasons.push(reason));
  return { manager, detach, reasons };
}

describe("crossTabFetcher", () => {
  it("five tabs: one fetch per rotation for an hour, and every tab holds the same token", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const issuer = countingIssuer(clock);
    const fetchedAt: number[] = [];
    const fetchToken: TokenFetcher = (context) => (fetchedAt.push(clock.now()), issuer.fetchToken(context));
    const tabs = Array.from({ length: 5 }, () => openTab(clock, origin, "app", fetchToken));
    for (const { manager } of tabs) manager.start();
    await clock.advance(1_000);
    expect(issuer.calls).toHaveLength(1); // even the first load: the four others waited for the lock
    for (let minute = 0; minute < 60; minute++) {
      await clock.advance(MIN);
      const held = new Set(tabs.map(({ manager }) => manager.peekToken()));
      expect(held).toEqual(new Set([issuer.issued.at(-1)]));
    }
    // 15-minute tokens refreshed 60–90 s before exp: 5 rotations in an hour, one fetch each.
    expect(issuer.calls.length).toBeLessThanOrEqual(5);
    for (let i = 1; i < fetchedAt.length; i++) expect(fetchedAt[i]! - fetchedAt[i - 1]!).toBeGreaterThan(12 * MIN);
    // The other tabs adopted through their normal fetch path, without a network call.
    expect(tabs.flatMap(({ reasons }) => reasons).filter((reason) => reason === "forced").length).toBeGreaterThan(0);
  });

  it("a tab waiting for the lock takes the holder's token instead of fetching again", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const issuer = countingIssuer(clock, { latencyMs: 2_000 });
    const a = openTab(clock, origin, "app", issuer.fetchToken);
    const b = openTab(clock, origin, "app", issuer.fetchToken);
    a.manager.start();
    await clock.advance(10);
    let got: string | null | undefined;
    void b.manager.refresh().then((token) => (got = token)); // B asks while A holds the lock and fetches
    await clock.advance(1_995); // A's token arrives at 2,000 ms; A keeps the lock 50 ms longer
    expect(got).toBe(issuer.issued[0]);
    expect(origin.locks.isHeld("convex-custom-jwt:app")).toBe(true);
    expect(issuer.calls).toHaveLength(1);
  });

  it("ignores a token older than, or equal to, the one it holds, and adopts a newer one without a fetch", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const issuer = countingIssuer(clock);
    const tab = openTab(clock, origin, "app", issuer.fetchToken);
    await clock.advance(5 * MIN);
    const older = mintAt(clock, 900, Math.floor(clock.now() / 1000) - 120); // minted 2 min ago
    tab.manager.start();
    await clock.advance(1_000);
    const mine = tab.manager.peekToken();
    expect(mine).toBe(issuer.issued[0]);
    const otherTab = origin.channels.open("convex-custom-jwt:app");
    otherTab.postMessage({ key: "app", token: older });
    otherTab.postMessage({ key: "app", token: mine }); // equal
    await clock.advance(1_000);
    expect(tab.manager.peekToken()).toBe(mine);
    expect(tab.reasons).toEqual(["initial"]);

    await clock.advance(MIN);
    const newer = mintAt(clock, 900);
    otherTab.postMessage({ key: "app", token: newer });
    await clock.advance(10);
    expect(tab.manager.peekToken()).toBe(newer);
    expect(tab.reasons).toEqual(["initial", "forced"]);
    expect(issuer.calls).toHaveLength(1);
    otherTab.close();
  });

  it("a tab whose own fetch failed adopts another tab's token at its next try, without a network call", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const issuer = countingIssuer(clock);
    let failing = true;
    const flaky: TokenFetcher = async (context) => {
      if (failing) throw new Error("network down in this tab");
      return issuer.fetchToken(context);
    };
    const b = openTab(clock, origin, "app", flaky);
    b.manager.start();
    await clock.advance(100);
    expect(b.manager.getSnapshot().status).toBe("retrying");
    failing = false;
    const a = openTab(clock, origin, "app", issuer.fetchToken);
    a.manager.start();
    await clock.advance(200);
    expect(issuer.calls).toHaveLength(1); // A's
    await clock.advance(35_000); // B's planned retry, at most the capped backoff away
    expect(b.manager.peekToken()).toBe(issuer.issued[0]);
    expect(issuer.calls).toHaveLength(1);
  });

  it("a lock holder that never answers cannot block the others for longer than lockWaitMs", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    // A frozen tab holds the lock forever.
    void origin.locks.request("convex-custom-jwt:app", {}, () => new Promise(() => {}));
    const issuer = countingIssuer(clock);
    const tab = openTab(clock, origin, "app", issuer.fetchToken, 3_000);
    tab.manager.start();
    await clock.advance(2_900);
    expect(issuer.calls).toHaveLength(0);
    await clock.advance(300); // past the 3 s wait, plus the issuer's 100 ms
    expect(issuer.calls).toHaveLength(1);
    expect(tab.manager.peekToken()).toBe(issuer.issued[0]);
  });

  it("a holder whose fetcher hangs: the others fetch after the wait, and the holder adopts their token", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const issuer = countingIssuer(clock);
    issuer.set("hang");
    const a = openTab(clock, origin, "app", issuer.fetchToken);
    a.manager.start();
    await clock.advance(10);
    issuer.set("token");
    const b = openTab(clock, origin, "app", issuer.fetchToken);
    b.manager.start();
    await clock.advance(5_200); // B's default 5 s wait
    expect(b.manager.peekToken()).toBe(issuer.issued[0]);
    // A's manager times its fetch out at 10 s (releasing the lock) and retries: it adopts B's token.
    await clock.advance(15_000);
    expect(a.manager.peekToken()).toBe(issuer.issued[0]);
    expect(issuer.calls).toHaveLength(2); // A's hung call and B's
    expect(origin.locks.isHeld("convex-custom-jwt:app")).toBe(false);
  });

  it("a holder signed out mid-fetch gives the lock back at once, and another tab completes the rotation", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const issuer = countingIssuer(clock, { latencyMs: 3_000 });
    const a = openTab(clock, origin, "app", issuer.fetchToken);
    a.detach(); // A is closing: it no longer listens
    a.manager.start();
    await clock.advance(10);
    const b = openTab(clock, origin, "app", issuer.fetchToken);
    b.manager.start();
    await clock.advance(10);
    a.manager.dispose(); // aborts A's fetch: the lock is released
    await clock.advance(3_200);
    expect(b.manager.peekToken()).toBe(issuer.issued.at(-1));
    expect(b.manager.getSnapshot().status).toBe("valid");
    expect(issuer.calls).toHaveLength(2);
  });

  it("sign-out in one tab signs out the others; so does the fetcher resolving null", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const issuer = countingIssuer(clock, { lifetimeSec: 120 });
    const tabs = Array.from({ length: 3 }, () => openTab(clock, origin, "app", issuer.fetchToken));
    for (const { manager } of tabs) manager.start();
    await clock.advance(1_000);
    tabs[0]!.manager.signOut();
    await clock.advance(10);
    expect(tabs.map(({ manager }) => manager.getSnapshot().status)).toEqual(["signedOut", "signedOut", "signedOut"]);
    // no echo
    expect(origin.channels.posted.filter(({ data }) => (data as { signOut?: boolean }).signOut)).toHaveLength(1);

    for (const { manager } of tabs) manager.start();
    await clock.advance(1_000);
    expect(tabs.map(({ manager }) => manager.getSnapshot().status)).toEqual(["valid", "valid", "valid"]);
    issuer.set("null"); // the session ended at the issuer
    await clock.advance(2 * MIN);
    expect(tabs.map(({ manager }) => manager.getSnapshot().status)).toEqual(["signedOut", "signedOut", "signedOut"]);
    expect(tabs.map(({ manager }) => manager.peekToken())).toEqual([null, null, null]);
  });

  it("a tab that signs out and straight back in is not signed out again by the other tabs", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const issuer = countingIssuer(clock);
    const [a, b] = [openTab(clock, origin, "app", issuer.fetchToken), openTab(clock, origin, "app", issuer.fetchToken)];
    a.manager.start();
    b.manager.start();
    await clock.advance(1_000);
    a.manager.signOut();
    a.manager.start(); // switching accounts
    await clock.advance(1_000);
    expect(b.manager.getSnapshot().status).toBe("signedOut");
    expect(a.manager.getSnapshot().status).toBe("valid");
  });

  it("managers with different keys never share a lock, a channel or a token", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const one = countingIssuer(clock, { sub: "app-one" });
    const two = countingIssuer(clock, { sub: "app-two" });
    const tabsOne = [openTab(clock, origin, "one", one.fetchToken), openTab(clock, origin, "one", one.fetchToken)];
    const tabsTwo = [openTab(clock, origin, "two", two.fetchToken), openTab(clock, origin, "two", two.fetchToken)];
    for (const { manager } of [...tabsOne, ...tabsTwo]) manager.start();
    for (let i = 0; i < 40; i++) await clock.advance(MIN);
    expect(tabsOne.map(({ manager }) => manager.getSnapshot().subject)).toEqual(["app-one", "app-one"]);
    expect(tabsTwo.map(({ manager }) => manager.getSnapshot().subject)).toEqual(["app-two", "app-two"]);
    expect(new Set(tabsOne.map(({ manager }) => manager.peekToken()))).toEqual(new Set([one.issued.at(-1)]));
    expect(new Set(tabsTwo.map(({ manager }) => manager.peekToken()))).toEqual(new Set([two.issued.at(-1)]));
    // Each key fetched on its own schedule: the two never waited for each other's lock.
    expect(origin.locks.grants.get("convex-custom-jwt:one")).toBeGreaterThan(0);
    expect(origin.locks.grants.get("convex-custom-jwt:two")).toBeGreaterThan(0);
  });

  it("a token message for another key on the same channel name is ignored", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const issuer = countingIssuer(clock);
    const tab = openTab(clock, origin, "app", issuer.fetchToken);
    tab.manager.start();
    await clock.advance(1_000);
    const intruder = origin.channels.open("convex-custom-jwt:app");
    await clock.advance(MIN);
    intruder.postMessage({ key: "other", token: mintAt(clock, 900) });
    intruder.postMessage({ key: "other", signOut: true });
    await clock.advance(10);
    expect(tab.manager.peekToken()).toBe(issuer.issued[0]);
    expect(tab.manager.getSnapshot().status).toBe("valid");
  });

  it("closes its channel and stops listening on detach", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const issuer = countingIssuer(clock);
    const tab = openTab(clock, origin, "app", issuer.fetchToken);
    expect(origin.channels.openCount).toBe(1);
    tab.detach();
    expect(origin.channels.openCount).toBe(0);
  });

  it(
    "falls back to single-tab where Web Locks or BroadcastChannel " + "are missing (Node 20 has no navigator.locks)",
    async () => {
      expect(detectCrossTabEnvironment()).toBeUndefined();
      expect(crossTabFetcher({ key: "app", fetchToken: async () => null })).toBeUndefined();
      const clock = createFakeClock();
      const issuer = countingIssuer(clock);
      const manager = createTokenManager({ fetchToken: issuer.fetchToken, clock, crossTabKey: "app" });
      managers.push(manager);
      manager.start();
      await clock.advance(1_000);
      expect(manager.peekToken()).toBe(issuer.issued[0]);
    },
  );
});
