/**
 * Cached `getToken()` against its physical limit (an async function that reads the clock once, compares
 * with `exp` and returns the token) and against a bare `async () => token`. Same process, several rounds
 * in rotating order, each task warmed; we report the median per-round ratio, never absolute times.
 */
import { existsSync } from "node:fs";
import { Bench } from "tinybench";
import { createTokenManager } from "../src/index";
import { expOf, mintToken } from "./support/jwt";
import { fmt, median, runIfMain, type BenchResult } from "./support/report";

/** Calls per benchmark iteration, so timer resolution and tinybench's own overhead stay out of the ratio. */
const BATCH = 1_000;
const ROUNDS = 7;
const DIST_URL = new URL("../dist/index.js", import.meta.url);
let sink: string | null = null;

/** The built package, if `dist/` exists: what users run (tsx adds `__name` wrappers, a target may downlevel). */
async function loadDist(): Promise<typeof import("../src/index") | undefined> {
  return existsSync(DIST_URL) ? ((await import(DIST_URL.href)) as typeof import("../src/index")) : undefined;
}

export async function run(): Promise<BenchResult> {
  const token = mintToken(Date.now(), 900);
  const exp = expOf(token);
  const manager = createTokenManager({ fetchToken: async () => token });
  const dist = (await loadDist())?.createTokenManager({ fetchToken: async () => token });
  for (const m of [manager, dist])
    if (m && (await m.getToken()) !== token) throw new Error("manager did not serve the token");

  // One dedicated loop per task: a shared loop over a function argument would make its call site polymorphic.
  const limit = async (): Promise<string | null> => (Date.now() < exp ? token : null);
  const bare = async (): Promise<string | null> => token;
  const tasks: Record<string, () => Promise<void>> = {
    manager: async () => {
      for (let i = 0; i < BATCH; i++) sink = await manager.getToken();
    },
    limit: async () => {
      for (let i = 0; i < BATCH; i++) sink = await limit();
    },
    bare: async () => {
      for (let i = 0; i < BATCH; i++) sink = await bare();
    },
  };
  if (dist) {
    tasks.dist = async () => {
      for (let i = 0; i < BATCH; i++) sink = await dist.getToken();
    };
  }

  const names = Object.keys(tasks);
  const nsPerOp: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  const vsLimit: number[] = [];
  const vsBare: number[] = [];
  const distVsLimit: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({ time: 250, warmupTime: 100 });
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length]!; // rotate the order every round
      bench.add(name, tasks[name]!);
    }
    await bench.run();
    const ns: Record<string, number> = {};
    for (const task of bench.tasks) {
      const r = task.result;
      if (r.state !== "completed") throw new Error(`task ${task.name}: ${r.state}`);
      ns[task.name] = (r.latency.mean * 1e6) / BATCH;
      nsPerOp[task.name]!.push(ns[task.name]!);
    }
    vsLimit.push(ns.manager! / ns.limit!);
    vsBare.push(ns.manager! / ns.bare!);
    if (dist) distVsLimit.push(ns.dist! / ns.limit!);
  }
  manager.dispose();
  dist?.dispose();
  if (sink !== token) throw new Error("unexpected result");

  const ratio = median(vsLimit);
  const opsPerSec = (name: string) =>
    `${fmt(1e9 / median(nsPerOp[name]!))} ops/s (${fmt(median(nsPerOp[name]!), 1)} ns/op)`;
  return {
    name: "cached getToken()",
    checks: [
      { label: "manager.getToken()", value: opsPerSec("manager") },
      { label: "limit: async clock read + compare", value: opsPerSec("limit") },
      { label: "bare: async () => token", value: opsPerSec("bare") },
      { label: "manager / limit (median ratio)", value: `${ratio.toFixed(3)}×`, budget: "≤ 1.1×", pass: ratio <= 1.1 },
      { label: "manager / bare (median ratio)", value: `${median(vsBare).toFixed(3)}×` },
      dist
        ? {
            label: "built dist/index.js / limit (median ratio)",
            value: `${median(distVsLimit).toFixed(3)}× (${opsPerSec("dist")})`,
          }
        : { label: "built dist/index.js", value: "not built: skipped" },
    ],
    notes: [
      `${ROUNDS} rounds × ${names.length} tasks, order rotated; each iteration awaits ${fmt(BATCH)} calls; ratios ` +
        `per round: ` +
        vsLimit.map((r) => r.toFixed(2)).join(" "),
    ],
  };
}

runIfMain(import.meta.url, run);
