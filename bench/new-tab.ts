/**
 * A new tab's time to its first token, in real Chromium (Debian's package through playwright-core): from
 * `createTokenManager` to the manager's first `token` event, by the page's `performance.now()`, and the
 * token calls the new tab makes. Pages of one origin are served by the Chromium tests' server, whose token
 * endpoint answers after `NEW_TAB_DELAY_MS` (default 100 ms, a nearby issuer's round trip).
 *
 * Scenarios (rows), each in its own browser context, measured `NEW_TAB_RUNS` times (default 9), round by
 * round in a rotating order:
 * - four tabs hold a token and a fifth opens (it joins them: zero fetches);
 * - the same with `crossTabJoinWaitMs: 0` (the new tab fetches, as every new tab did before it could join);
 * - a tab alone, with `crossTabKey` (nobody holds a token: it fetches at once) and without (the baseline);
 * - four tabs present that never answer (they hold the presence lock, as a busy or stuck tab would): the
 *   new tab waits the bounded wait (`crossTabJoinWaitMs`, 250 ms by default), then fetches.
 *
 * `node --import tsx bench/new-tab.ts`. Wall-clock figures on a shared machine: read the medians and their
 * ratio to the baseline, measured in the same run.
 */
import { loadavg } from "node:os";
import type { BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../test/support/chromium";
import { startOrigin, type TestOrigin } from "../test/browser/chromium/server";
import { fmt, median, runIfMain, type BenchResult } from "./support/report";

declare const harness: { state: { calls: number; firstTokenMs: number | null } };

const RUNS = Number(process.env.NEW_TAB_RUNS ?? 9);
const DELAY_MS = Number(process.env.NEW_TAB_DELAY_MS ?? 100);
/** The new tabs' crossTabJoinWaitMs; unset, the default (250 ms). */
const JOIN_WAIT_MS = process.env.NEW_TAB_JOIN_WAIT_MS;
const PRESENCE = "convex-custom-jwt present:app";

interface Sample {
  ms: number;
  calls: number;
}

/** Open a page at `query` and wait for its first token. */
async function openAndTime(context: BrowserContext, origin: TestOrigin, query: string): Promise<[Page, Sample]> {
  const page = await context.newPage();
  await page.goto(`${origin.url}?${query}`);
  await page.waitForFunction(() => harness.state.firstTokenMs !== null, undefined, { timeout: 30_000 });
  const sample = await page.evaluate(() => ({ ms: harness.state.firstTokenMs!, calls: harness.state.calls }));
  return [page, sample];
}

const base = `key=app&life=600&delay=${DELAY_MS}`;
/** A new tab's query: the default join wait, or `NEW_TAB_JOIN_WAIT_MS`. */
const newTab = JOIN_WAIT_MS === undefined ? base : `${base}&joinWait=${JOIN_WAIT_MS}`;

/** Four tabs that each hold the key's token. */
async function holders(context: BrowserContext, origin: TestOrigin): Promise<void> {
  for (let i = 0; i < 4; i++) await openAndTime(context, origin, base);
}

/** Four tabs present (the presence lock) whose managers never start, so they never answer. */
async function silent(context: BrowserContext, origin: TestOrigin): Promise<void> {
  for (let i = 0; i < 4; i++) {
    const page = await context.newPage();
    await page.goto(`${origin.url}?${base}&start=0`);
    await page.evaluate((name) => {
      void navigator.locks.request(name, { mode: "shared" }, () => new Promise(() => {}));
    }, PRESENCE);
  }
}

/** One row: the tabs set up first in its own context, then the new tab's query. */
interface Row {
  label: string;
  peers: (context: BrowserContext, origin: TestOrigin) => Promise<void>;
  query: string;
  context?: BrowserContext;
  samples: Sample[];
}

export async function run(): Promise<BenchResult> {
  const [browser, origin] = await Promise.all([launchChromium(), startOrigin()]);
  const load = loadavg()[0]!;
  const none = async () => {};
  const rows: Row[] = [
    { label: "a tab alone, no crossTabKey (baseline)", peers: none, query: `${base}&crossTab=0`, samples: [] },
    { label: "a tab alone, crossTabKey", peers: none, query: newTab, samples: [] },
    { label: "4 tabs hold a token, a 5th opens (joins)", peers: holders, query: newTab, samples: [] },
    {
      label: "4 tabs hold a token, a 5th opens, crossTabJoinWaitMs 0 (fetches, as before)",
      peers: holders,
      query: `${base}&joinWait=0`,
      samples: [],
    },
    { label: "4 tabs present that never answer, a 5th opens", peers: silent, query: newTab, samples: [] },
  ];
  try {
    for (const row of rows) {
      row.context = await browser.newContext();
      await row.peers(row.context, origin);
    }
    // Round by round, each row's new tab in a rotating order, so that the machine's load falls on all alike.
    for (let round = 0; round < RUNS; round++) {
      for (let i = 0; i < rows.length; i++) {
        const row = rows[(round + i) % rows.length]!;
        const [page, sample] = await openAndTime(row.context!, origin, row.query);
        row.samples.push(sample);
        await page.close();
      }
    }
  } finally {
    await browser.close();
    await origin.close();
  }
  const baseline = median(rows[0]!.samples.map(({ ms }) => ms));
  const checks: BenchResult["checks"] = rows.map(({ label, samples }) => {
    const ms = samples.map((sample) => sample.ms).sort((a, b) => a - b);
    const calls = samples.reduce((sum, sample) => sum + sample.calls, 0);
    return {
      label: `${label}: ms to first token`,
      value:
        `median ${fmt(median(ms), 1)} (${fmt(median(ms) / baseline, 2)}× baseline; ` +
        `min ${fmt(ms[0]!, 1)}, max ${fmt(ms.at(-1)!, 1)}); token calls ${calls} in ${samples.length} tabs`,
    };
  });
  const joined = rows[2]!.samples;
  checks.push({
    label: "4 tabs hold a token: the new tabs' token calls",
    value: String(joined.reduce((sum, sample) => sum + sample.calls, 0)),
    budget: "= 0",
    pass: joined.every(({ calls }) => calls === 0),
  });
  return {
    name: "new tab: time to first token (real Chromium)",
    checks,
    notes: [
      `${RUNS} new tabs per row, rows interleaved; token endpoint latency ${DELAY_MS} ms; ` +
        `crossTabJoinWaitMs ${JOIN_WAIT_MS ?? "250 (the default)"}.`,
      `Load average ${fmt(load, 1)} at the start (a shared machine: compare rows, not absolute times).`,
    ],
  };
}

runIfMain(import.meta.url, run);
