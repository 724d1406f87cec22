/**
 * The browser signals: each touches its globals only while someone listens, only where they exist, and
 * emits the outside signal the manager's `notify` understands. Guards pain points 4 and 5 of
 * peer-token-managers.md (stale tokens after sleep or in a throttled tab: supabase/supabase#6464,
 * workos/authkit-nextjs#289), where no peer but Clerk listens to focus and none to `online`.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { focusSignal } from "../../src/browser/focus-signal";
import { onlineSignal } from "../../src/browser/online-signal";
import { pageShowSignal } from "../../src/browser/page-show-signal";
import { createSignalSource } from "../../src/browser/signal-source";
import { wakeSignal } from "../../src/browser/wake-signal";
import { createFakeClock } from "../../src/testing/fake-clock";
import type { OutsideSignal } from "../../src/core/types";
import { pageShow, stubDom } from "./dom-globals";

afterEach(() => {
  vi.unstubAllGlobals();
});

const MIN = 60_000;

function record() {
  const seen: OutsideSignal[] = [];
  return { seen, listener: (signal: OutsideSignal) => void seen.push(signal) };
}

describe("createSignalSource", () => {
  it("sets up on the first subscriber, tears down after the last, and isolates a throwing listener", () => {
    let emit!: (signal: OutsideSignal) => void;
    const setup = vi.fn((e: typeof emit) => ((emit = e), teardown));
    const teardown = vi.fn();
    const source = createSignalSource(setup);
    expect(setup).not.toHaveBeenCalled();
    const a = record();
    const offThrowing = source(() => {
      throw new Error("listener bug");
    });
    const offA = source(a.listener);
    expect(setup).toHaveBeenCalledTimes(1);
    emit("focus");
    expect(a.seen).toEqual(["focus"]);
    offThrowing();
    expect(teardown).not.toHaveBeenCalled();
    offA();
    offA(); // twice is harmless
    expect(teardown).toHaveBeenCalledTimes(1);
    source(a.listener)();
    expect(setup).toHaveBeenCalledTimes(2);
    expect(teardown).toHaveBeenCalledTimes(2);
  });
});

describe("without browser globals (Node, workers, SSR)", () => {
  it("every signal subscribes and unsubscribes without throwing", () => {
    expect(typeof window).toBe("undefined");
    for (const make of [focusSignal, onlineSignal, pageShowSignal]) make()(() => {})();
  });
});

describe("focusSignal", () => {
  it("emits focus when the page becomes visible or the window gains focus, only while subscribed", () => {
    const { win, doc } = stubDom();
    const source = focusSignal();
    expect(win.count + doc.count).toBe(0);
    const a = record();
    const b = record();
    const offA = source(a.listener);
    const offB = source(b.listener);
    expect(doc.active.get("visibilitychange")).toBe(1); // shared by both subscribers
    expect(win.active.get("focus")).toBe(1);
    doc.setVisibility("hidden");
    expect(a.seen).toEqual([]);
    doc.setVisibility("visible");
    win.dispatchEvent(new Event("focus"));
    expect(a.seen).toEqual(["focus", "focus"]);
    expect(b.seen).toEqual(["focus", "focus"]);
    offA();
    offB();
    expect(win.count + doc.count).toBe(0);
    doc.setVisibility("visible");
    expect(a.seen).toHaveLength(2);
  });
});

describe("onlineSignal", () => {
  it("emits offline and online from the window's events, only while subscribed", () => {
    const { win } = stubDom();
    const a = record();
    const off = onlineSignal()(a.listener);
    win.dispatchEvent(new Event("offline"));
    win.dispatchEvent(new Event("online"));
    expect(a.seen).toEqual(["offline", "online"]);
    off();
    expect(win.count).toBe(0);
  });
});

describe("pageShowSignal", () => {
  it("emits wake when the page comes back from the back/forward cache, not on first load", () => {
    const { win } = stubDom();
    const a = record();
    const off = pageShowSignal()(a.listener);
    win.dispatchEvent(pageShow(false));
    win.dispatchEvent(pageShow(true));
    expect(a.seen).toEqual(["wake"]);
    off();
    expect(win.count).toBe(0);
  });
});

describe("wakeSignal", () => {
  it("is quiet while timers fire on time, and emits wake once after an hour's sleep", async () => {
    const clock = createFakeClock();
    const a = record();
    const off = wakeSignal({ clock })(a.listener);
    await clock.advance(30 * MIN);
    expect(a.seen).toEqual([]);
    await clock.sleep(60 * MIN);
    expect(a.seen).toEqual(["wake"]);
    await clock.advance(5 * MIN);
    expect(a.seen).toEqual(["wake"]);
    off();
    expect(clock.pending).toBe(0);
  });

  it("emits wake after the wall clock jumps forward, not back", async () => {
    const clock = createFakeClock();
    const a = record();
    const off = wakeSignal({ clock, intervalMs: 10_000, lateMs: 30_000 })(a.listener);
    clock.jump(-60 * MIN);
    await clock.advance(MIN);
    expect(a.seen).toEqual([]);
    clock.jump(20 * MIN);
    await clock.advance(10_000);
    expect(a.seen).toEqual(["wake"]);
    off();
  });

  it("arms one timer per source, whatever the number of subscribers, and none before or after", async () => {
    const clock = createFakeClock();
    const source = wakeSignal({ clock });
    expect(clock.pending).toBe(0);
    const offs = [source(() => {}), source(() => {}), source(() => {})];
    expect(clock.pending).toBe(1);
    for (const off of offs) off();
    expect(clock.pending).toBe(0);
  });
});
