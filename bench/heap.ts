/**
 * Heap growth after 100,000 rotations of one manager (`refresh()` on a virtual clock), measured after full
 * GCs; then `dispose()` must leave no pending timer on the clock and no listener held by the manager.
 */
import { getEventListeners } from "node:events";
import { setFlagsFromString } from "node:v8";
import { createTokenManager, type TokenManager } from "../src/index";
import { getGc, heapAfterGc } from "./support/gc";
import { mintToken } from "./support/jwt";
import { fmt, runIfMain, type BenchResult } from "./support/report";
import { FakeClock as VirtualClock, settle } from "../src/testing/fake-clock";

const ROTATIONS = 100_000;
const WARMUP = 10_000;
const KB = 1024;

/** Attach listeners from a separate frame so nothing but the manager keeps them alive. */
function attachListeners(manager: TokenManager, seen: { events: number }): WeakRef<object>[] {
  const onState = () => void seen.events++;
  const onToken = () => void seen.events++;
  const onChange = () => void seen.events++;
  manager.on("state", onState).on("token", onToken).subscribe(onChange);
  return [onState, onToken, onChange].map((listener) => new WeakRef(listener));
}

const alive = (refs: WeakRef<object>[]) => refs.filter((ref) => ref.deref() !== undefined).length;

export async function run(): Promise<BenchResult> {
  const gc = getGc();
  // V8 drops the bytecode of functions unused for a while (module loading, earlier benchmarks): that showed
  // up here as ~300 KB of *negative* growth that could hide a real leak. Keep bytecode during the measurement.
  setFlagsFromString("--no-flush-bytecode");
  const clock = new VirtualClock();
  const manager = createTokenManager({ clock, fetchToken: async () => mintToken(clock.now()) });
  const seen = { events: 0 };
  const refs = attachListeners(manager, seen);
  const caller = new AbortController(); // one long-lived caller signal, passed to some of the calls

  const rotate = async (count: number) => {
    for (let i = 1; i <= count; i++) {
      await (i % 10 === 0 ? manager.getToken({ forceRefresh: true, signal: caller.signal }) : manager.refresh());
      if (i % 1_000 === 0) await clock.advance(1_000); // time moves on: the chunked refresh timer re-arms
    }
  };
  await rotate(WARMUP);
  await settle();
  const before = heapAfterGc(gc);
  await rotate(ROTATIONS);
  await settle();
  const growth = heapAfterGc(gc) - before;
  const abortListeners = getEventListeners(caller.signal, "abort").length;
  const aliveBefore = alive(refs);
  const timersBefore = clock.pending;

  manager.dispose();
  await settle(); // a new macrotask: WeakRefs dereferenced in this one are no longer kept alive
  gc();
  const timersAfter = clock.pending;
  const aliveAfter = alive(refs);
  if (manager.getSnapshot().status !== "disposed") throw new Error("not disposed");

  return {
    name: `heap (${fmt(ROTATIONS)} rotations of one manager)`,
    checks: [
      { label: "heap growth", value: `${fmt(growth / KB, 1)} KB`, budget: "< 1 MB", pass: growth < KB * KB },
      {
        label: "pending timers after dispose()",
        value: `${timersAfter} (was ${timersBefore})`,
        budget: "= 0",
        pass: timersAfter === 0,
      },
      {
        label: "listeners still held after dispose()",
        value: `${aliveAfter} of ${refs.length} (held before: ${aliveBefore})`,
        budget: "= 0",
        pass: aliveAfter === 0 && aliveBefore === refs.length,
      },
      {
        label: "abort listeners left on a caller's signal",
        value: `${abortListeners}`,
        budget: "= 0",
        pass: abortListeners === 0,
      },
    ],
    notes: [
      `${fmt(seen.events)} events delivered; ${fmt(clock.armed)} virtual timers armed in all; ` +
        `every 10th rotation is getToken({ forceRefresh: true, signal }) with one long-lived AbortSignal`,
    ],
  };
}

runIfMain(import.meta.url, run);
