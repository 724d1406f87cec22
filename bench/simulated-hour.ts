/**
 * One simulated hour on a virtual clock: 15-minute tokens, 100 `getToken()` calls per second, a token
 * endpoint with 100 ms latency. Counts fetcher calls and expired tokens served, for the manager and for a
 * naive client (refresh when within 60 s of `exp`, no deduplication) run the same way in the same process.
 */
import { performance } from "node:perf_hooks";
import type { Clock } from "../src/core/clock";
import { createTokenManager } from "../src/index";
import { expOf, mintToken } from "./support/jwt";
import { fmt, runIfMain, type BenchResult } from "./support/report";
import { FakeClock as VirtualClock } from "../src/testing/fake-clock";

const HOUR_MS = 60 * 60 * 1000;
const CALL_EVERY_MS = 10; // 100 getToken() per second
const LATENCY_MS = 100;
const LIFETIME_SEC = 15 * 60;

interface Outcome {
  fetches: number;
  /** Virtual minutes:seconds of each fetch, from the start of the hour. */
  fetchedAt: string[];
  calls: number;
  expiredServed: number;
  wallMs: number;
}

type GetToken = () => Promise<string | null>;

/** Drive `getToken` for one virtual hour; `setup` builds the client on the clock and fetcher it is given. */
async function simulate(
  setup: (clock: VirtualClock, fetchToken: () => Promise<string>) => { getToken: GetToken; stop(): void },
): Promise<Outcome> {
  const clock = new VirtualClock();
  const expiry = new Map<string, number>();
  const start = clock.now();
  const fetchedAt: string[] = [];
  const fetchToken = async (): Promise<string> => {
    const s = Math.round((clock.now() - start) / 1000);
    fetchedAt.push(`${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`);
    await clock.delay(LATENCY_MS);
    const token = mintToken(clock.now(), LIFETIME_SEC);
    expiry.set(token, expOf(token));
    return token;
  };
  const client = setup(clock, fetchToken);
  let calls = 0;
  let expiredServed = 0;
  const pending: Promise<void>[] = [];
  const started = performance.now();
  for (let t = 0; t < HOUR_MS; t += CALL_EVERY_MS) {
    calls++;
    const call = client.getToken().then((token) => {
      if (token === null || !(expiry.get(token)! > clock.now())) expiredServed++;
    });
    if (pending.push(call) >= 1_000) await Promise.all(pending.splice(0)); // all settled already: keep memory flat
    await clock.advance(CALL_EVERY_MS);
  }
  await clock.advance(LATENCY_MS);
  await Promise.all(pending);
  client.stop();
  return { fetches: fetchedAt.length, fetchedAt, calls, expiredServed, wallMs: performance.now() - started };
}

/** Fixed 60 s margin, no deduplication: every call that finds the token near `exp` fetches on its own. */
function naiveClient(clock: Clock, fetchToken: () => Promise<string>) {
  let token: string | undefined;
  let exp = 0;
  return {
    getToken: async () => {
      if (token === undefined || clock.now() >= exp - 60_000) {
        token = await fetchToken();
        exp = expOf(token);
      }
      return token;
    },
    stop() {},
  };
}

export async function run(): Promise<BenchResult> {
  const managed = await simulate((clock, fetchToken) => {
    const manager = createTokenManager({ clock, fetchToken });
    return { getToken: () => manager.getToken(), stop: () => manager.dispose() };
  });
  const naive = await simulate(naiveClient);
  return {
    name: "one simulated hour (15-min tokens, 100 getToken/s, 100 ms endpoint latency)",
    checks: [
      { label: "manager: fetches", value: `${managed.fetches}`, budget: "≤ 5", pass: managed.fetches <= 5 },
      {
        label: "manager: expired tokens served",
        value: `${managed.expiredServed}`,
        budget: "= 0",
        pass: managed.expiredServed === 0,
      },
      { label: "naive (60 s margin, no dedup): fetches", value: `${naive.fetches}` },
      { label: "naive: expired tokens served", value: `${naive.expiredServed}` },
      {
        label: "wall time of the simulation",
        value: `manager ${fmt(managed.wallMs)} ms, naive ${fmt(naive.wallMs)} ms`,
      },
    ],
    notes: [
      `manager fetched at ${managed.fetchedAt.join(", ")} (m:ss)`,
      `${fmt(managed.calls)} getToken() calls per client; the virtual clock fires timers in order and settles ` +
        `promises after each.`,
    ],
  };
}

runIfMain(import.meta.url, run);
