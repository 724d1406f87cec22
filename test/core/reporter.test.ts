/**
 * The manager's events on eventemitter3: each listener guarded on its own, `off` without a wrapper map,
 * `once`, and a dispatch under way stopping at sign-out (invariant 10, and invariant 3: no `token` event
 * reaches anyone after a listener signed out). The manager-level checks run on the one FakeClock.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Reporter } from "../../src/core/reporter";
import { TokenManager, type TokenEvent } from "../../src/index";
import { createFakeClock } from "../../src/testing/fake-clock";
import { fakeIssuer } from "../support/manager-harness";

const T0 = Date.UTC(2026, 0, 1, 12);
const signedOut = { reason: "signOut" } as const;

function reporter() {
  const lines: string[] = [];
  const events = new Reporter({ error: (line) => lines.push(line) });
  return { events, lines };
}

describe("Reporter: guarded listeners on eventemitter3", () => {
  it("a listener that throws is logged, and the listeners after it still run", () => {
    const { events, lines } = reporter();
    const seen: string[] = [];
    events.on("signedOut", () => seen.push("first"));
    events.on("signedOut", () => {
      throw new Error("boom");
    });
    events.on("signedOut", () => seen.push("third"));
    events.emit("signedOut", signedOut);
    expect(seen).toEqual(["first", "third"]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /"signedOut" listener \(`on\("signedOut"\)`\) threw: boom\. The other listeners still ran/,
    );
  });

  it("off(event, fn) removes that listener, registered with on or once, and no other", () => {
    const { events } = reporter();
    const seen: string[] = [];
    const a = () => seen.push("a");
    const b = () => seen.push("b");
    const c = () => seen.push("c");
    events.on("signedOut", a);
    events.on("signedOut", b, true);
    events.on("signedOut", c);
    events.off("signedOut", a);
    events.off("signedOut", b);
    events.off("discarded", c as never); // another event: c stays
    events.emit("signedOut", signedOut);
    expect(seen).toEqual(["c"]);
  });

  it("once: runs on the next emit only; a once added during a dispatch waits for the next one", () => {
    const { events } = reporter();
    const seen: string[] = [];
    const late = () => seen.push("late");
    events.on("signedOut", () => seen.push("on"));
    events.on(
      "signedOut",
      () => {
        seen.push("once-1");
        events.on("signedOut", late, true);
      },
      true,
    );
    events.on("signedOut", () => seen.push("once-2"), true);
    events.emit("signedOut", signedOut);
    expect(seen).toEqual(["on", "once-1", "once-2"]);
    events.emit("signedOut", signedOut);
    events.emit("signedOut", signedOut);
    expect(seen).toEqual(["on", "once-1", "once-2", "on", "late", "on"]);
  });

  it("stopDispatch() skips the listeners a dispatch under way has not called yet; later dispatches reach them", () => {
    const { events } = reporter();
    const seen: string[] = [];
    events.on("signedOut", () => {
      seen.push("stopper");
      events.stopDispatch();
    });
    events.on("signedOut", () => seen.push("after"));
    events.emit("signedOut", signedOut);
    expect(seen).toEqual(["stopper"]);
    events.emit("signedOut", signedOut);
    expect(seen).toEqual(["stopper", "stopper"]);
  });

  it("a once listener skipped by a stopped dispatch stays registered for the next one", () => {
    const { events } = reporter();
    const seen: string[] = [];
    events.on("signedOut", () => events.stopDispatch(), true);
    events.on("signedOut", () => seen.push("once"), true);
    events.emit("signedOut", signedOut);
    expect(seen).toEqual([]);
    events.emit("signedOut", signedOut);
    expect(seen).toEqual(["once"]);
  });

  it("clear() drops every listener", () => {
    const { events } = reporter();
    const seen: string[] = [];
    events.on("signedOut", () => seen.push("x"));
    events.clear();
    events.emit("signedOut", signedOut);
    expect(seen).toEqual([]);
  });
});

describe("TokenManager: a dispatch stops at signOut() and dispose()", () => {
  const managers: TokenManager[] = [];
  afterEach(() => {
    for (const manager of managers.splice(0)) manager.dispose();
  });

  function setup() {
    const clock = createFakeClock({ now: T0, random: () => 0.5 });
    const issuer = fakeIssuer(clock, T0);
    const manager = new TokenManager({ clock, fetchToken: async () => issuer.token() });
    managers.push(manager);
    return manager;
  }

  it.each(["signOut", "dispose"] as const)(
    "a token listener that calls %s(): the token listeners after it never see the token",
    async (method) => {
      const manager = setup();
      const after: TokenEvent[] = [];
      manager.on("token", () => manager[method]());
      manager.on("token", (event) => after.push(event));
      const token = await manager.getToken().catch(() => null);
      expect(token).toBeNull();
      expect(after).toEqual([]);
    },
  );

  it("a listener removed with off() during a dispatch still gets that dispatch, then no more", async () => {
    const manager = setup();
    const seen: string[] = [];
    const second = () => seen.push("second");
    manager.on("refreshing", () => manager.off("refreshing", second));
    manager.on("refreshing", second);
    await manager.getToken();
    await manager.refresh();
    expect(seen).toEqual(["second"]);
  });
});
