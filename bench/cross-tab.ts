/**
 * Cross-tab: N tabs of one origin sharing a `crossTabKey` should cost one token fetch per rotation, whatever
 * N. Each tab is a real TokenManager wrapped by the real cross-tab coordinator; Web Locks and
 * BroadcastChannel are the in-memory ones the unit tests use (test/browser/fake-browser.ts), on one
 * FakeClock. Tabs open at random moments in the first 10 minutes; the steady state is measured over the
 * next 4 hours of 15-minute tokens. The baseline is the same N tabs without the coordinator.
 *
 * A rotation is a cluster of fetches (consecutive fetches less than 5 minutes apart belong to one), counted
 * in the coordinated run; the baseline's fetches are divided by the same count.
 *
 * While the tabs open, each new tab's first fetch (reason `initial`) is counted apart: a tab that opens while
 * others hold a token joins them with no fetch, so only the first tab's reaches the endpoint.
 */
import { crossTabFetcher } from "../src/browser/cross-tab";
import { TokenManager } from "../src/core/token-manager";
import { createFakeClock } from "../src/testing/fake-clock";
import type { TokenFetcher } from "../src/core/types";
import { countingIssuer, fakeOrigin } from "../test/browser/fake-browser";
import { fmt, runIfMain, type BenchResult } from "./support/report";

const MIN = 60_000;
const OPEN_WITHIN = 10 * MIN;
const STEADY_FROM = 16 * MIN;
const STEADY_FOR = 4 * 60 * MIN;

/** A small deterministic PRNG (mulberry32), so runs are comparable. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Outcome {
  /** Fetches of reason `initial` that reached the endpoint (one per tab without the coordinator). */
  initial: number;
  fetches: number;
  rotations: number;
  /** Distinct tokens held by the tabs at the end. */
  distinct: number;
}

async function simulate(tabs: number, coordinated: boolean, seed: number): Promise<Outcome> {
  const random = prng(seed);
  const clock = createFakeClock({ random });
  const origin = fakeOrigin();
  const issuer = countingIssuer(clock);
  const fetchedAt: number[] = [];
  let initial = 0;
  const fetchToken: TokenFetcher = (context) => {
    if (context.reason === "initial") initial++;
    fetchedAt.push(clock.monotonicNow());
    return issuer.fetchToken(context);
  };
  const managers: TokenManager[] = [];
  const detach: Array<() => void> = [];
  const openings = Array.from({ length: tabs }, () => Math.floor(random() * OPEN_WITHIN)).sort((a, b) => a - b);
  for (const at of openings) {
    await clock.advance(at - clock.monotonicNow());
    const crossTab = coordinated
      ? crossTabFetcher({ key: "app", fetchToken, clock, environment: origin.environment })
      : undefined;
    const manager = new TokenManager({ fetchToken: crossTab?.fetchToken ?? fetchToken, clock });
    if (crossTab) detach.push(crossTab.attach(manager));
    managers.push(manager);
    manager.start();
  }
  await clock.advance(STEADY_FROM - clock.monotonicNow());
  const from = fetchedAt.length;
  for (let t = 0; t < STEADY_FOR; t += MIN) await clock.advance(MIN);
  const steady = fetchedAt.slice(from);
  let rotations = 0;
  for (let i = 0; i < steady.length; i++) if (i === 0 || steady[i]! - steady[i - 1]! > 5 * MIN) rotations++;
  const distinct = new Set(managers.map((manager) => manager.peekToken())).size;
  for (const stop of detach) stop();
  for (const manager of managers) manager.dispose();
  return { initial, fetches: steady.length, rotations, distinct };
}

export async function run(): Promise<BenchResult> {
  const checks: BenchResult["checks"] = [];
  for (const tabs of [1, 5, 20]) {
    const shared = await simulate(tabs, true, 42 + tabs);
    const alone = await simulate(tabs, false, 42 + tabs);
    const perRotation = shared.fetches / shared.rotations;
    checks.push({
      label: `${tabs} tab${tabs === 1 ? "" : "s"}, crossTabKey: fetches per rotation`,
      value:
        `${fmt(perRotation, 2)} (${shared.fetches} fetches, ${shared.rotations} rotations in 4 h; ` +
        `${shared.distinct} distinct token${shared.distinct === 1 ? "" : "s"} held)`,
      budget: "= 1",
      pass: perRotation === 1 && shared.distinct === 1,
    });
    checks.push({
      label: `${tabs} tab${tabs === 1 ? "" : "s"} opening, crossTabKey: first fetches that reach the endpoint`,
      value: `${shared.initial} (no coordinator: ${alone.initial})`,
      budget: "= 1",
      pass: shared.initial === 1,
    });
    checks.push({
      label: `${tabs} tab${tabs === 1 ? "" : "s"}, no coordinator (baseline): fetches per rotation`,
      value:
        `${fmt(alone.fetches / shared.rotations, 2)} (${alone.fetches} fetches; ${alone.distinct} distinct ` +
        `token${alone.distinct === 1 ? "" : "s"} held)`,
    });
  }
  return {
    name: "cross-tab (fetches per rotation)",
    checks,
    notes: ["Baseline rotations are counted as in the coordinated run of the same N (its fetches do not cluster)."],
  };
}

runIfMain(import.meta.url, run);
