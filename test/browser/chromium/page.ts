/**
 * The page the Chromium tests load: bundled by esbuild at test time. It creates a manager with the
 * defaults a browser app gets (signals on) and `crossTabKey` from the URL, with a fetcher that calls the
 * test server's counting token endpoint, and exposes what the test reads on `window.harness`, including
 * the time from `createTokenManager` to the first token (`firstTokenMs`, by `performance.now()`).
 * URL parameters: `key` (the crossTabKey), `crossTab=0` (no crossTabKey), `life` (token lifetime, s),
 * `delay` (the endpoint's latency, ms), `lockWait` and `joinWait` (ms), `start=0` (do not start).
 */
import { createTokenManager } from "../../../src/index";

const params = new URLSearchParams(location.search);
const key = params.get("key") ?? "app";
const life = params.get("life") ?? "8";
/** The token endpoint's latency, in ms (a real issuer's round trip). */
const delay = params.get("delay") ?? "0";
let offline = false;
const state = {
  /** The app fetcher's calls, and those made while the page was offline. */
  calls: 0,
  offlineCalls: 0,
  /** The page's view of the network, from its own events. */
  offlineSince: 0,
  /** Milliseconds from `createTokenManager` to the first token the manager held; null before it. */
  firstTokenMs: null as number | null,
};
addEventListener("offline", () => {
  offline = true;
  state.offlineSince = Date.now();
});
addEventListener("online", () => (offline = false));

const createdAt = performance.now();
const manager = createTokenManager({
  fetchToken: async ({ signal }) => {
    state.calls++;
    if (offline) state.offlineCalls++;
    const res = await fetch(`/token?key=${encodeURIComponent(key)}&life=${life}&delay=${delay}`, { signal });
    if (res.status === 401) return null;
    if (!res.ok) throw new Error(`token endpoint ${res.status}`);
    return ((await res.json()) as { token: string }).token;
  },
  crossTabKey: params.get("crossTab") === "0" ? undefined : key,
  crossTabLockWaitMs: Number(params.get("lockWait") ?? 5_000),
  crossTabJoinWaitMs: params.has("joinWait") ? Number(params.get("joinWait")) : undefined,
});
manager.on("token", () => {
  state.firstTokenMs ??= performance.now() - createdAt;
});

const harness = {
  manager,
  state,
  token: () => manager.peekToken(),
  status: () => manager.getSnapshot().status,
};
(globalThis as unknown as { harness: typeof harness }).harness = harness;
if (params.get("start") !== "0") manager.start();
