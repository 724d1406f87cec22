import { describe, expect, it } from "vitest";
import { createFakeClock } from "../../src/testing/fake-clock";

describe("FakeClock", () => {
  it("advance moves both clocks and fires due timers in order", async () => {
    const clock = createFakeClock({ now: 1_000 });
    const fired: string[] = [];
    clock.setTimeout(() => fired.push("b"), 20);
    clock.setTimeout(() => fired.push("a"), 10);
    await clock.advance(15);
    expect(fired).toEqual(["a"]);
    expect([clock.now(), clock.monotonicNow()]).toEqual([1_015, 15]);
    await clock.advance(5);
    expect(fired).toEqual(["a", "b"]);
  });

  it("jump moves the wall clock only; timers stay on monotonic time", async () => {
    const clock = createFakeClock({ now: 0 });
    let fired = false;
    clock.setTimeout(() => (fired = true), 1_000);
    clock.jump(-3_600_000);
    expect([clock.now(), clock.monotonicNow()]).toEqual([-3_600_000, 0]);
    await clock.advance(999);
    expect(fired).toBe(false);
    await clock.advance(1);
    expect(fired).toBe(true);
  });

  it("sleep fires nothing until the wake, then every overdue timer, late", async () => {
    const clock = createFakeClock({ now: 0 });
    const firedAt: number[] = [];
    clock.setTimeout(() => firedAt.push(clock.monotonicNow()), 100);
    await clock.sleep(5_000);
    expect(firedAt).toEqual([5_000]);
  });

  it("tracks ref/unref like Node's timers", () => {
    const clock = createFakeClock();
    const handle = clock.setTimeout(() => {}, 10) as { unref(): void; ref(): void; hasRef(): boolean };
    expect(clock.refed).toBe(1);
    handle.unref();
    expect([clock.refed, clock.pending, handle.hasRef()]).toEqual([0, 1, false]);
    handle.ref();
    expect(clock.refed).toBe(1);
  });

  it("says when the next timer falls due, and refreshes a timer like Node's Timeout.refresh()", async () => {
    const clock = createFakeClock({ now: 0 });
    expect(clock.nextDue).toBeUndefined();
    let fired = 0;
    const handle = clock.setTimeout(() => fired++, 100) as { refresh(): unknown };
    clock.setTimeout(() => {}, 250);
    expect(clock.nextDue).toBe(100);
    await clock.advance(60);
    handle.refresh(); // due 100 ms from now
    expect(clock.nextDue).toBe(160);
    await clock.advance(99);
    expect(fired).toBe(0);
    await clock.advance(1);
    expect([fired, clock.nextDue]).toEqual([1, 250]);
    handle.refresh(); // fired already: armed again, due at 260 (after the one at 250)
    await clock.advance(99);
    expect([fired, clock.pending]).toEqual([1, 1]);
    await clock.advance(1);
    expect([fired, clock.pending]).toEqual([2, 0]);
  });

  it("refuses to move time back or by a non-number, naming the argument and jump() for the wall clock", async () => {
    const clock = createFakeClock({ now: 0 });
    await expect(clock.advance(-5)).rejects.toThrow(
      /FakeClock\.advance: `ms` must be a finite number ≥ 0.*jump\(-ms\)/,
    );
    await expect(clock.sleep(Number.NaN)).rejects.toThrow(TypeError);
    expect(clock.monotonicNow()).toBe(0);
  });

  it("fails an advance that spins on a timer loop instead of hanging", async () => {
    const clock = createFakeClock();
    clock.maxTimersPerAdvance = 100;
    const loop = () => clock.setTimeout(loop, 0);
    loop();
    await expect(clock.advance(1)).rejects.toThrow(/timer loop/);
  });
});
