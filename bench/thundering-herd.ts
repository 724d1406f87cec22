/**
 * 100,000 clients whose 15-minute tokens were minted in the same second. Each plans its refresh with
 * `planRefresh` (default leeway 60 s, jitter 30 s, minValidity 10 s) and `Math.random()`; refreshes are
 * bucketed per second and we report the peak/mean rate over the refresh window, beside a fixed-margin
 * scheduler (everyone at exp − 60 s) measured over the same window.
 */
import { planRefresh } from "../src/core/schedule";
import { fmt, runIfMain, type BenchResult } from "./support/report";

const CLIENTS = 100_000;
const LIFETIME_MS = 15 * 60 * 1000;
const LEEWAY_MS = 60_000;
const JITTER_MS = 30_000;
const MIN_VALIDITY_MS = 10_000;

/** Refreshes per whole second, keyed by seconds before `exp` (so `exp − 60 s` and `exp − 60.4 s` share a bucket). */
function histogram(refreshTimes: Iterable<number>, expiresAt: number): Map<number, number> {
  const perSecond = new Map<number, number>();
  for (const at of refreshTimes) {
    const second = Math.floor((expiresAt - at) / 1000);
    perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
  }
  return perSecond;
}

const peakOverMean = (perSecond: Map<number, number>, first: number, last: number): number => {
  let peak = 0;
  let total = 0;
  for (let s = first; s <= last; s++) {
    const n = perSecond.get(s) ?? 0;
    peak = Math.max(peak, n);
    total += n;
  }
  return peak / (total / (last - first + 1));
};

export async function run(): Promise<BenchResult> {
  const issuedAt = Math.floor(Date.now() / 1000) * 1000; // iat in whole seconds: the same for everyone
  const times = { issuedAt, expiresAt: issuedAt + LIFETIME_MS };
  const jittered: number[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    jittered.push(planRefresh(times, LEEWAY_MS, JITTER_MS, MIN_VALIDITY_MS, Math.random()).refreshAt);
  }
  const fixed = new Array<number>(CLIENTS).fill(times.expiresAt - LEEWAY_MS);

  const spread = histogram(jittered, times.expiresAt);
  const seconds = [...spread.keys()];
  const first = Math.min(...seconds);
  const last = Math.max(...seconds);
  const window = last - first + 1;
  const jitteredRatio = peakOverMean(spread, first, last);
  const fixedRatio = peakOverMean(histogram(fixed, times.expiresAt), first, last);
  const peak = Math.max(...spread.values());
  return {
    name: `thundering herd (${fmt(CLIENTS)} clients, tokens minted in the same second)`,
    checks: [
      {
        label: "jittered (planRefresh): peak/mean",
        value: `${jitteredRatio.toFixed(3)} (peak ${fmt(peak)}/s, mean ${fmt(CLIENTS / window)}/s)`,
        budget: "≤ 1.5",
        pass: jitteredRatio <= 1.5,
      },
      {
        label: "fixed margin (exp − 60 s): peak/mean",
        value: `${fixedRatio.toFixed(1)} (peak ${fmt(CLIENTS)}/s in one second)`,
      },
    ],
    notes: [`refresh window: ${window} s, from exp − ${last + 1} s to exp − ${first} s, 1-second buckets`],
  };
}

runIfMain(import.meta.url, run);
