/**
 * New tabs join for free: a tab opened while other tabs of its `crossTabKey` hold a token asks them for it
 * and adopts it with zero token fetches, on in-memory Web Locks and BroadcastChannels and one FakeClock.
 * Guards pain points 1–3 of peer-token-managers.md: every tab calling the token endpoint
 * (authts/react-oidc-context#1472), tabs spending a rotating refresh token against each other
 * (supabase/auth-js#213), and refresh storms (supabase/supabase-js#2145): one answer per question, however
 * many tabs hear it.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { crossTabFetcher } from "../../src/browser/cross-tab";
import { TokenManager } from "../../src/core/token-manager";
import type { TokenSource } from "../../src/core/token-source";
import type { TokenFetcher, TokenSnapshot } from "../../src/core/types";
import { createFakeClock, type FakeClock } from "../../src/testing/fake-clock";
import { stubDom } from "./dom-globals";
import { countingIssuer, fakeOrigin, mintAt } from "./fake-browser";

const MIN = 60_000;
const PRESENCE = "convex-custom-jwt present:app";
const cleanups: Array<() => void> = [];

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  vi.unstubAllGlobals();
});

type Origin = ReturnType<typeof fakeOrigin>;

function openTab(clock: FakeClock, origin: Origin, fetchToken: TokenFetcher, key = "app", joinWaitMs?: number) {
  const crossTab = crossTabFetcher({ key, fetchToken, clock, environment: origin.environment, joinWaitMs })!;
  const manager = new TokenManager({ fetchToken: crossTab.fetchToken, clock });
  const detach = crossTab.attach(manager);
  cleanups.push(() => manager.dispose(), detach);
  const reasons: string[] = [];
  manager.on("refreshing", ({ reason }) => reasons.push(reason));
  return { manager, detach, reasons };
}

/** Messages of one kind posted on the origin's channels. */
const posted = (origin: Origin, field: "ask" | "to" | "token") =>
  origin.channels.posted.filter(
    ({ data }) => field in (data as object) && (field !== "token" || !("to" in (data as object))),
  );

/** Open `count` tabs one after another, each once the previous one holds its token. */
async function tabsHoldingTokens(clock: FakeClock, origin: Origin, fetchToken: TokenFetcher, count: number) {
  const tabs = [];
  for (let i = 0; i < count; i++) {
    const tab = openTab(clock, origin, fetchToken);
    tab.manager.start();
    await clock.advance(1_000);
    tabs.push(tab);
  }
  return tabs;
}

/** A tab that holds its presence but never answers (a frozen page): its lock stays, its script does not run. */
function frozenTab(origin: Origin): void {
  let thaw = () => {};
  void origin.locks.request(PRESENCE, { mode: "shared" }, () => new Promise<void>((resolve) => (thaw = resolve)));
  cleanups.push(() => thaw());
}

describe("a new tab joins the tabs that hold a token", () => {
  it("four tabs hold a token; a fifth opens and makes 0 token fetches, and no tab rotates", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const issuer = countingIssuer(clock);
    const tabs = await tabsHoldingTokens(clock, origin, issuer.fetchToken, 4);
    expect(issuer.calls).toHaveLength(1); // the first tab's; the three after it joined
    const fifth = openTab(clock, origin, issuer.fetchToken);
    const openedAt = clock.now();
    const first = fifth.manager.getToken();
    await clock.advance(0);
    expect(await first).toBe(issuer.issued[0]);
    expect(clock.now()).toBe(openedAt); // no wait: the answer came in the same instant of virtual time
    expect(issuer.calls).toHaveLength(1);
    expect(new Set(tabs.map(({ manager }) => manager.peekToken()))).toEqual(new Set([issuer.issued[0]]));
    // Nobody was handed a new token: the four kept theirs (no forced adoption, no rotation).
    expect(tabs.map(({ reasons }) => reasons)).toEqual([["initial"], ["initial"], ["initial"], ["initial"]]);
    expect(posted(origin, "token")).toHaveLength(1);
    // From then on the five share each rotation: one fetch per rotation for an hour (15-minute tokens).
    for (let minute = 0; minute < 60; minute++) await clock.advance(MIN);
    expect(issuer.calls.length).toBeLessThanOrEqual(5);
    const held = new Set([...tabs, fifth].map(({ manager }) => manager.peekToken()));
    expect(held).toEqual(new Set([issuer.issued.at(-1)]));
  });

  it("one answer per question, however many tabs hear it", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const issuer = countingIssuer(clock);
    await tabsHoldingTokens(clock, origin, issuer.fetchToken, 20);
    expect(issuer.calls).toHaveLength(1);
    expect(posted(origin, "ask")).toHaveLength(19);
    expect(posted(origin, "to")).toHaveLength(19); // one answer for each of the 19 tabs that joined
    openTab(clock, origin, issuer.fetchToken).manager.start();
    await clock.advance(10);
    expect(posted(origin, "to")).toHaveLength(20);
    expect(issuer.calls).toHaveLength(1);
  });

  it("a lone tab fetches at once: nobody to ask, no wait", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const issuer = countingIssuer(clock, { latencyMs: 100 });
    const tab = openTab(clock, origin, issuer.fetchToken);
    const first = tab.manager.getToken();
    await clock.advance(100);
    expect(await first).toBe(issuer.issued[0]);
    expect(posted(origin, "ask")).toHaveLength(0);
    expect(origin.locks.queries).toBe(1);
  });

  it("tabs that open together ask nobody: one of them fetches, the others take its token", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const issuer = countingIssuer(clock, { latencyMs: 100 });
    const tabs = Array.from({ length: 5 }, () => openTab(clock, origin, issuer.fetchToken));
    const firsts = tabs.map(({ manager }) => manager.getToken());
    await clock.advance(100);
    expect(await Promise.all(firsts)).toEqual(Array(5).fill(issuer.issued[0]));
    expect(issuer.calls).toHaveLength(1);
    expect(posted(origin, "ask")).toHaveLength(0);
  });

  it("peers that never answer (frozen) cost the bounded wait, then the tab fetches once", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const issuer = countingIssuer(clock, { latencyMs: 100 });
    frozenTab(origin);
    const fetchedAt: number[] = [];
    const tab = openTab(
      clock,
      origin,
      (context) => (fetchedAt.push(clock.now()), issuer.fetchToken(context)),
      "app",
      150,
    );
    const start = clock.now();
    const first = tab.manager.getToken();
    await clock.advance(149);
    expect(issuer.calls).toHaveLength(0);
    await clock.advance(101);
    expect(await first).toBe(issuer.issued[0]);
    expect(fetchedAt).toEqual([start + 150]);
    expect(posted(origin, "ask")).toHaveLength(1);
  });

  it("a frozen page gives up its presence until it resumes: a new tab does not wait for it", async () => {
    const { doc } = stubDom(); // the tabs below share this page's lifecycle events
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const issuer = countingIssuer(clock, { latencyMs: 100 });
    await tabsHoldingTokens(clock, origin, issuer.fetchToken, 2);
    expect(origin.locks.isHeld(PRESENCE)).toBe(true);
    doc.dispatchEvent(new Event("freeze"));
    await clock.advance(0);
    expect(origin.locks.isHeld(PRESENCE)).toBe(false);
    const asks = posted(origin, "ask").length;
    const fresh = openTab(clock, origin, issuer.fetchToken);
    const first = fresh.manager.getToken();
    await clock.advance(100); // the endpoint's latency, and no wait before it
    expect(await first).toBe(issuer.issued[1]);
    expect(posted(origin, "ask")).toHaveLength(asks);
    doc.dispatchEvent(new Event("resume"));
    await clock.advance(0);
    expect(origin.locks.isHeld(PRESENCE)).toBe(true);
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
    expect(doc.count).toBe(0); // their lifecycle listeners went with them
  });

  it("a tab opened mid-rotation takes the rotation's token when it lands: no fetch of its own", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const issuer = countingIssuer(clock, { latencyMs: 2_000 });
    const a = openTab(clock, origin, issuer.fetchToken);
    a.manager.start();
    await clock.advance(2_100); // the first token has landed, and A's lock is free again
    void a.manager.refresh(); // a rotation: 2 s at the endpoint
    await clock.advance(10);
    expect(issuer.calls).toHaveLength(2);
    expect(origin.locks.isHeld(PRESENCE)).toBe(false); // mid-rotation, A does not offer its old token
    const late = openTab(clock, origin, issuer.fetchToken);
    const first = late.manager.getToken();
    await clock.advance(2_000);
    expect(await first).toBe(issuer.issued[1]);
    expect(issuer.calls).toHaveLength(2); // A's two; none from the late tab
  });
});

describe("what a joining tab refuses", () => {
  /** A peer whose manager reports `snapshot` and serves `token`, attached to the origin. */
  function fakePeer(clock: FakeClock, origin: Origin, token: string, snapshot: Partial<TokenSnapshot>) {
    const full = { status: "valid", hasToken: true, nextFetchAt: null, expiresAt: null, ...snapshot };
    const peer = {
      getSnapshot: () => full,
      peekToken: () => token,
      getToken: async () => token,
      subscribe: () => () => {},
      on: () => {},
      off: () => {},
      signOut: () => {},
    } as unknown as TokenSource;
    const crossTab = crossTabFetcher({
      key: "app",
      fetchToken: async () => null,
      clock,
      environment: origin.environment,
    });
    cleanups.push(crossTab!.attach(peer));
  }

  it("a peer whose token is due for refresh does not answer; the new tab fetches after the wait", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const issuer = countingIssuer(clock);
    const due = mintAt(clock, 900, Math.floor(clock.now() / 1000) - 850); // 50 s left
    fakePeer(clock, origin, due, { nextFetchAt: clock.now() - 1_000, expiresAt: clock.now() + 50_000 });
    const tab = openTab(clock, origin, issuer.fetchToken);
    const first = tab.manager.getToken();
    await clock.advance(249); // the default wait, 250 ms
    expect(issuer.calls).toHaveLength(0);
    await clock.advance(101);
    expect(await first).toBe(issuer.issued[0]);
    expect(posted(origin, "ask")).toHaveLength(1);
    expect(posted(origin, "to")).toHaveLength(0);
  });

  it("an answer about to expire is not adopted, nor an answer to another tab's question", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const issuer = countingIssuer(clock);
    frozenTab(origin); // present, so the new tab asks
    const rogue = origin.channels.open("convex-custom-jwt:app");
    const expiring = mintAt(clock, 60, Math.floor(clock.now() / 1000) - 57); // 3 s left of 60 s (floor: 6 s)
    const fresh = mintAt(clock, 900);
    rogue.addEventListener("message", ({ data }) => {
      const { ask } = data as { ask?: string };
      if (!ask) return;
      rogue.postMessage({ key: "app", to: ask, token: expiring, validForMs: 3_000 });
      rogue.postMessage({ key: "app", to: `${ask}-someone-else`, token: fresh, validForMs: 900_000 });
    });
    const tab = openTab(clock, origin, issuer.fetchToken);
    const first = tab.manager.getToken();
    await clock.advance(350); // the wait (250 ms) and the endpoint's latency
    expect(await first).toBe(issuer.issued[0]);
    expect(issuer.calls).toHaveLength(1);
    rogue.close();
  });

  it("tabs of another key never answer, and are never asked", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const one = countingIssuer(clock, { sub: "user-of-one" });
    const two = countingIssuer(clock, { sub: "user-of-two" });
    await tabsHoldingTokens(clock, origin, one.fetchToken, 3);
    const other = openTab(clock, origin, two.fetchToken, "two");
    const first = other.manager.getToken();
    await clock.advance(100);
    expect(await first).toBe(two.issued[0]);
    expect(other.manager.getSnapshot().subject).toBe("user-of-two");
    expect(posted(origin, "ask").filter(({ data }) => (data as { key: string }).key === "two")).toHaveLength(0);
    expect(one.calls).toHaveLength(1);
  });

  it("a tab signed out while it waits for an answer adopts nothing and fetches nothing", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const issuer = countingIssuer(clock);
    frozenTab(origin);
    const tab = openTab(clock, origin, issuer.fetchToken);
    const first = tab.manager.getToken();
    await clock.advance(50);
    tab.manager.signOut();
    await clock.advance(1_000);
    expect(await first).toBeNull();
    expect(tab.manager.getSnapshot().status).toBe("signedOut");
    expect(issuer.calls).toHaveLength(0);
  });

  it("sign-out still reaches every tab, joined ones included, and a signed-out tab is not present", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const issuer = countingIssuer(clock);
    const tabs = await tabsHoldingTokens(clock, origin, issuer.fetchToken, 3);
    expect(origin.locks.isHeld(PRESENCE)).toBe(true);
    tabs[2]!.manager.signOut();
    await clock.advance(10);
    expect(tabs.map(({ manager }) => manager.getSnapshot().status)).toEqual(["signedOut", "signedOut", "signedOut"]);
    expect(origin.locks.isHeld(PRESENCE)).toBe(false);
    // A tab opened now finds nobody to ask and fetches for itself, as before.
    const late = openTab(clock, origin, issuer.fetchToken);
    late.manager.start();
    await clock.advance(1_000);
    expect(issuer.calls).toHaveLength(2);
    expect(late.manager.getSnapshot().status).toBe("valid");
  });
});

describe("what joining leaves behind", () => {
  it("no presence, question lock or timer once the tabs are gone", async () => {
    const clock = createFakeClock();
    const origin = fakeOrigin();
    const issuer = countingIssuer(clock);
    await tabsHoldingTokens(clock, origin, issuer.fetchToken, 3);
    openTab(clock, origin, issuer.fetchToken).manager.start();
    await clock.advance(10); // a tab just answered the fourth: it holds the question's lock for a second
    expect(origin.locks.isHeld(PRESENCE)).toBe(true);
    const { held = [] } = await origin.locks.query();
    expect(held.filter(({ name }) => name?.includes(" answer:"))).toHaveLength(1);
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
    await clock.advance(0);
    expect(origin.locks.isHeld(PRESENCE)).toBe(false);
    expect((await origin.locks.query()).held ?? []).toEqual([]);
    expect(clock.pending).toBe(0);
    expect(origin.channels.openCount).toBe(0);
  });
});
