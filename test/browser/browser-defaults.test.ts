/**
 * `createTokenManager`'s browser wiring, with fake signals and the injected FakeClock: what reaches the
 * manager on wake, on a wall-clock jump, offline and back online, and on focus near expiry; what is on by
 * default where; and that `dispose()` leaves no listener and no timer (invariant 4).
 * Guards pain points 4–6 of peer-token-managers.md: expired tokens after sleep (auth0/auth0-spa-js#343,
 * authts/oidc-client-ts#251), late refreshes in throttled tabs (gravitational/teleport#51617), and a
 * network blip treated as a sign-out or a retry storm (mmailaender/convex-better-auth-svelte#35).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createTokenManager, type CreateTokenManagerOptions } from "../../src/browser/create-token-manager";
import { TokenManager } from "../../src/core/token-manager";
import type { SignalSource } from "../../src/browser/signal-source";
import { wakeSignal } from "../../src/browser/wake-signal";
import { createFakeClock, type FakeClock } from "../../src/testing/fake-clock";
import type { Clock } from "../../src/core/clock";
import type { OutsideSignal } from "../../src/core/types";
import { countingIssuer } from "./fake-browser";
import { pageShow, stubDom } from "./dom-globals";

const MIN = 60_000;
const managers: TokenManager[] = [];

afterEach(() => {
  for (const manager of managers.splice(0)) manager.dispose();
  vi.unstubAllGlobals();
});

function fakeSignal() {
  const listeners = new Set<(signal: OutsideSignal) => void>();
  const source: SignalSource = (listener) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };
  return {
    source,
    emit: (signal: OutsideSignal) => {
      for (const listener of listeners) listener(signal);
    },
    listeners,
  };
}

function setup(
  clock: FakeClock | Clock,
  issuer: ReturnType<typeof countingIssuer>,
  options: Partial<CreateTokenManagerOptions> = {},
) {
  const manager = createTokenManager({ fetchToken: issuer.fetchToken, clock, ...options });
  managers.push(manager);
  const reasons: string[] = [];
  manager.on("refreshing", ({ reason }) => reasons.push(reason));
  return { manager, reasons };
}

/** A tab throttled the way Safari does it: no timer fires sooner than 5 minutes. */
function throttled(clock: FakeClock): Clock {
  return { ...clock, setTimeout: (callback, delayMs) => clock.setTimeout(callback, Math.max(delayMs, 5 * MIN)) };
}

describe("createTokenManager's browser signals", () => {
  it("wake after an hour's sleep: one fetch at wake, and a fresh token served", async () => {
    const clock = createFakeClock();
    const issuer = countingIssuer(clock);
    const notify = vi.spyOn(TokenManager.prototype, "notify");
    const { manager, reasons } = setup(clock, issuer, {
      refreshOnWake: true,
      refreshOnFocus: false,
      refreshOnReconnect: false,
    });
    manager.start();
    await clock.advance(1_000);
    await clock.sleep(60 * MIN);
    expect(notify).toHaveBeenCalledWith("wake");
    await clock.advance(1_000);
    expect(issuer.calls).toHaveLength(2);
    expect(reasons).toEqual(["initial", "wake"]);
    const token = await manager.getToken();
    expect(token).toBe(issuer.issued[1]);
  });

  it(
    "a wall-clock jump forward: the wake probe re-checks " + "within its interval, and no expired token is served",
    async () => {
      const clock = createFakeClock();
      const issuer = countingIssuer(clock);
      const notify = vi.spyOn(TokenManager.prototype, "notify");
      const { manager } = setup(throttled(clock), issuer, {
        refreshOnWake: wakeSignal({ clock }),
        refreshOnFocus: false,
        refreshOnReconnect: false,
      });
      manager.start();
      await clock.advance(1_000);
      clock.jump(20 * MIN); // the token expired, by the new wall clock; the throttled core timer is minutes away
      await clock.advance(10_000);
      expect(notify).toHaveBeenCalledWith("wake");
      expect(issuer.calls).toHaveLength(2);
      expect(manager.peekToken()).toBe(issuer.issued[1]);
    },
  );

  it(
    "offline for ten minutes, then online: no fetcher call " + "while offline, a fresh token within a second after",
    async () => {
      const clock = createFakeClock();
      const issuer = countingIssuer(clock);
      const online = fakeSignal();
      const { manager } = setup(clock, issuer, { refreshOnReconnect: online.source, refreshOnFocus: false });
      manager.start();
      await clock.advance(12 * MIN);
      expect(issuer.calls).toHaveLength(1);
      online.emit("offline");
      // Ten minutes offline cover the refresh point (13.5–14 min) and the expiry (15 min).
      for (let i = 0; i < 10; i++) await clock.advance(MIN);
      expect(issuer.calls).toHaveLength(1);
      expect(manager.peekToken()).toBeNull(); // expired: not served
      online.emit("online");
      await clock.advance(1_000);
      expect(issuer.calls).toHaveLength(2);
      expect(manager.peekToken()).toBe(issuer.issued[1]);
      expect(manager.getSnapshot().status).toBe("valid");
    },
  );

  it(
    "focus while the token is about to expire, in a " + "throttled tab: refreshed at once, not at the next timer",
    async () => {
      const clock = createFakeClock();
      const issuer = countingIssuer(clock);
      const focus = fakeSignal();
      const { manager, reasons } = setup(throttled(clock), issuer, {
        refreshOnFocus: focus.source,
        refreshOnReconnect: false,
      });
      manager.start();
      await clock.advance(14.5 * MIN - 100); // 30 s before exp: the throttled refresh timer has not fired
      expect(issuer.calls).toHaveLength(1);
      focus.emit("focus");
      await clock.advance(200);
      expect(reasons).toEqual(["initial", "focus"]);
      expect(manager.peekToken()).toBe(issuer.issued[1]);
    },
  );

  it("focus or visibility with a fresh token costs nothing", async () => {
    const clock = createFakeClock();
    const issuer = countingIssuer(clock);
    const focus = fakeSignal();
    const { manager } = setup(clock, issuer, { refreshOnFocus: focus.source });
    manager.start();
    await clock.advance(1_000);
    for (let i = 0; i < 100; i++) focus.emit("focus");
    await clock.advance(1_000);
    expect(issuer.calls).toHaveLength(1);
  });
});

describe("createTokenManager's defaults", () => {
  it("in Node: no wake probe timer, no listener, and the manager works as before", async () => {
    const clock = createFakeClock();
    const issuer = countingIssuer(clock);
    const { manager } = setup(clock, issuer);
    manager.start();
    await clock.advance(1_000);
    expect(clock.pending).toBe(1); // the manager's own refresh timer only
    manager.dispose();
    expect(clock.pending).toBe(0);
  });

  it("in a page: every signal is on, and dispose() removes every listener and the probe timer", async () => {
    const { win, doc } = stubDom();
    const clock = createFakeClock();
    const issuer = countingIssuer(clock);
    const { manager, reasons } = setup(clock, issuer);
    expect(Object.fromEntries(win.active)).toEqual({ focus: 1, online: 1, offline: 1, pageshow: 1 });
    expect(Object.fromEntries(doc.active)).toEqual({ visibilitychange: 1 });
    expect(clock.pending).toBe(1); // the wake probe
    manager.start();
    await clock.advance(12 * MIN);
    // Real events reach the manager: a page restored from the back/forward cache past its refresh point
    // refreshes at once.
    clock.jump(2.5 * MIN);
    win.dispatchEvent(pageShow(true));
    await clock.advance(10);
    expect(reasons).toEqual(["initial", "wake"]);
    await clock.advance(200); // the issuer's latency
    manager.dispose();
    expect(win.count + doc.count).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it("each signal can be turned off", () => {
    const { win, doc } = stubDom();
    const clock = createFakeClock();
    setup(clock, countingIssuer(clock), { refreshOnFocus: false, refreshOnReconnect: false, refreshOnWake: false });
    expect(win.count + doc.count).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it("a custom signal source is subscribed once and unsubscribed on dispose", () => {
    const clock = createFakeClock();
    const focus = fakeSignal();
    const { manager } = setup(clock, countingIssuer(clock), { refreshOnFocus: focus.source });
    expect(focus.listeners.size).toBe(1);
    manager.dispose();
    expect(focus.listeners.size).toBe(0);
  });

  it("rejects bad options with a TypeError naming the option", () => {
    const fetchToken = async () => null;
    expect(() => createTokenManager({ fetchToken, refreshOnFocus: "yes" as never })).toThrow(/`refreshOnFocus`/);
    expect(() => createTokenManager({ fetchToken, crossTabKey: "" })).toThrow(TypeError);
    expect(() => createTokenManager({ fetchToken, crossTabKey: 42 as never })).toThrow(/`crossTabKey`/);
    expect(() => createTokenManager({ fetchToken, crossTabLockWaitMs: -1 })).toThrow(/`crossTabLockWaitMs`/);
    expect(() => createTokenManager({ fetchToken, crossTabJoinWaitMs: "100" as never })).toThrow(
      'createTokenManager: `crossTabJoinWaitMs` must be a number of milliseconds from 0 to 86400000; got "100".',
    );
    expect(() => createTokenManager({ fetchToken: undefined as never })).toThrow(/`fetchToken`/);
  });
});
