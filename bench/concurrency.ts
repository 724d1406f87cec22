/**
 * Single flight: 10,000 concurrent `getToken()` calls on a fresh manager must cause exactly one fetcher
 * call, and so must 10,000 concurrent `refresh()` calls on a manager that already holds a token.
 */
import { performance } from "node:perf_hooks";
import { createTokenManager } from "../src/index";
import { mintToken } from "./support/jwt";
import { fmt, runIfMain, type BenchResult } from "./support/report";
import { FakeClock as VirtualClock } from "../src/testing/fake-clock";

const CALLERS = 10_000;
const LATENCY_MS = 50; // virtual network latency of the token endpoint

export async function run(): Promise<BenchResult> {
  const clock = new VirtualClock();
  let fetches = 0;
  const manager = createTokenManager({
    clock,
    fetchToken: async () => {
      fetches++;
      await clock.delay(LATENCY_MS);
      return mintToken(clock.now());
    },
  });

  const burst = async (call: () => Promise<string | null>) => {
    const before = fetches;
    const started = performance.now();
    const calls = Array.from({ length: CALLERS }, call);
    await clock.advance(LATENCY_MS);
    const tokens = await Promise.all(calls);
    return { fetches: fetches - before, distinct: new Set(tokens).size, ms: performance.now() - started };
  };
  const cold = await burst(() => manager.getToken());
  const forced = await burst(() => manager.refresh());
  manager.dispose();

  const line = (what: string, r: typeof cold) => ({
    label: `${fmt(CALLERS)} concurrent ${what}: fetcher calls`,
    value: `${r.fetches} (${r.distinct} distinct token${r.distinct === 1 ? "" : "s"} served, ${fmt(r.ms, 1)} ms wall)`,
    budget: "= 1",
    pass: r.fetches === 1 && r.distinct === 1,
  });
  return {
    name: "concurrency (single flight)",
    checks: [line("getToken() on a fresh manager", cold), line("refresh() on a valid manager", forced)],
  };
}

runIfMain(import.meta.url, run);
