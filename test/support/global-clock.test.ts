/**
 * The integration clock's time engine is the kit's FakeClock installed as the globals. These pin the rules
 * the Convex client, ws and fetch rely on (the ones vitest's sinon timers gave them before): `Date` reads the
 * fake clock but stays the real `Date`, delays are whole milliseconds, a delay beyond 2^31−1 ms fires after
 * 1 ms, a 0 ms timer armed while the clock fires waits 1 ms, intervals repeat until cleared, and uninstalling
 * puts the real globals back.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createFakeClock } from "../../src/testing/fake-clock";
import { installGlobalClock, type GlobalClock } from "./global-clock";

const RealDate = Date;
const realSetTimeout = setTimeout;
let installed: GlobalClock | undefined;
afterEach(() => installed?.uninstall());

const install = (now = Date.UTC(2030, 0, 1)) => {
  const clock = createFakeClock({ now });
  installed = installGlobalClock(clock);
  return clock;
};

describe("installGlobalClock", () => {
  it("makes Date read the fake clock while staying the real Date", async () => {
    const clock = install(Date.UTC(2030, 0, 1));
    expect(Date.now()).toBe(Date.UTC(2030, 0, 1));
    await clock.advance(1_500.7);
    expect(Date.now()).toBe(Date.UTC(2030, 0, 1) + 1_500);
    const now = new Date();
    expect(now).toBeInstanceOf(RealDate);
    expect(now.getTime()).toBe(Date.now());
    expect(new Date(0).toISOString()).toBe("1970-01-01T00:00:00.000Z");
    expect(Date.UTC(2000, 0, 1)).toBe(RealDate.UTC(2000, 0, 1));
    expect(typeof (Date as unknown as () => string)()).toBe("string");
  });

  it("arms timers on the fake clock with the delay rules of Node's globals", async () => {
    const clock = install();
    const fired: string[] = [];
    setTimeout(() => fired.push("1.9 ms"), 1.9); // whole milliseconds: due at 1
    setTimeout(() => fired.push("too long"), 2 ** 31); // beyond 2^31−1 ms: after 1 ms
    setTimeout((a: string, b: string) => fired.push(`${a}+${b}`), 5, "x", "y");
    const cleared = setTimeout(() => fired.push("cleared"), 2);
    clearTimeout(cleared);
    await clock.advance(1);
    expect(fired).toEqual(["1.9 ms", "too long"]);
    await clock.advance(10);
    expect(fired).toEqual(["1.9 ms", "too long", "x+y"]);
  });

  it("gives a 0 ms timer armed while the clock fires 1 ms, so a chain cannot spin at one instant", async () => {
    const clock = install();
    const globals = installed!;
    let runs = 0;
    const chain = () => {
      runs++;
      setTimeout(chain, 0);
    };
    setTimeout(chain, 0);
    globals.firing = true;
    await clock.advance(5);
    globals.firing = false;
    expect(runs).toBe(6); // at 0, 1, 2, 3, 4, 5
  });

  it("repeats an interval until it is cleared, from inside its callback too", async () => {
    const clock = install();
    let ticks = 0;
    const interval = setInterval(() => {
      if (++ticks === 3) clearInterval(interval);
    }, 100);
    await clock.advance(1_000);
    expect([ticks, clock.pending]).toEqual([3, 0]);
  });

  it("puts the real globals back", () => {
    install();
    expect(setTimeout).not.toBe(realSetTimeout);
    installed!.uninstall();
    expect([setTimeout, Date]).toEqual([realSetTimeout, RealDate]);
  });
});
