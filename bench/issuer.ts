/**
 * Tokens minted per second by the issuer kit (`createIssuer(...).mint()`) against bare jose minting the same
 * token (`new SignJWT({ iss, sub, aud, iat, exp, jti }).setProtectedHeader({ alg, typ, kid }).sign(key)`) with
 * the same key, in the same process: paired batches (a kit batch beside a jose batch, order alternating), each
 * task warmed; we report the median of the pairs' ratios, never absolute times. Budget: the kit's overhead
 * ≤ 10 % (ratio ≤ 1.1×), for ES256 and RS256.
 * The kit's key list has three keys in rotation, so the rotation lookup is part of what is measured.
 */
import { existsSync } from "node:fs";
import { SignJWT, exportPKCS8, generateKeyPair } from "jose";
import { createIssuer, type Issuer } from "../src/issuer/index";
import { fmt, median, runIfMain, type BenchResult, type Check } from "./support/report";

/** Tokens per benchmark iteration, so timer resolution and tinybench's own overhead stay out of the ratio. */
const BATCH = { ES256: 100, RS256: 25 } as const;
/** Paired samples per algorithm; the median of their ratios is reported. */
const PAIRS = 41;
const DIST_URL = new URL("../dist/issuer.js", import.meta.url);
let sink = "";

async function loadDist(): Promise<typeof import("../src/issuer/index") | undefined> {
  return existsSync(DIST_URL) ? ((await import(DIST_URL.href)) as typeof import("../src/issuer/index")) : undefined;
}

async function issuerFor(create: typeof createIssuer, pems: string[]): Promise<Issuer> {
  const now = Date.now();
  return create({
    issuer: "https://auth.example.com",
    applicationID: "convex",
    keys: [
      { kid: "k0", privateKey: pems[0]! },
      { kid: "k1", privateKey: pems[1]!, signFrom: now - 3_600_000 },
      { kid: "k2", privateKey: pems[2]!, signFrom: now + 86_400_000 },
    ],
  });
}

async function measure(alg: "ES256" | "RS256"): Promise<{ checks: Check[]; note: string }> {
  const pairs = await Promise.all([0, 1, 2].map(() => generateKeyPair(alg, { extractable: true })));
  const pems = await Promise.all(pairs.map((p) => exportPKCS8(p.privateKey)));
  const kit = await issuerFor(createIssuer, pems);
  const distModule = await loadDist();
  const dist = distModule ? await issuerFor(distModule.createIssuer, pems) : undefined;
  const key = pairs[1]!.privateKey; // the key that signs now
  const batch = BATCH[alg];

  // What a team writes by hand with jose: the same claims, the same header, the same key.
  const bare = () => {
    const iat = Math.floor(Date.now() / 1000);
    const payload = { iss: "https://auth.example.com", sub: "user_42", aud: "convex", iat, exp: iat + 900 };
    return new SignJWT({ ...payload, jti: crypto.randomUUID() })
      .setProtectedHeader({ alg, typ: "JWT", kid: "k1" })
      .sign(key);
  };
  const tasks: Record<string, () => Promise<unknown>> = {
    kit: async () => (sink = (await kit.mint("user_42")).token),
    jose: async () => (sink = await bare()),
    ...(dist ? { dist: async () => (sink = (await dist.mint("user_42")).token) } : {}),
  };
  /**
   * CPU milliseconds (every thread of the process: jose signs on libuv's pool) to mint `batch` tokens one after
   * the other, as a token endpoint does. CPU time, not wall time: other jobs on a shared machine change the
   * wall time of a batch several-fold, its CPU time much less.
   */
  const time = async (name: string) => {
    const task = tasks[name]!;
    const started = process.cpuUsage();
    for (let i = 0; i < batch; i++) await task();
    const used = process.cpuUsage(started);
    return (used.user + used.system) / 1000;
  };
  for (const name of Object.keys(tasks)) for (let i = 0; i < 5; i++) await time(name); // warm-up
  // Paired samples: each kit batch next to a jose batch (order alternating), so both see the same load.
  const msPerToken: Record<string, number[]> = { kit: [], jose: [], dist: [] };
  const ratios: number[] = [];
  const distRatios: number[] = [];
  for (let pair = 0; pair < PAIRS; pair++) {
    const order = pair % 2 === 0 ? ["kit", "jose", "dist"] : ["dist", "jose", "kit"];
    const ms: Record<string, number> = {};
    for (const name of order) if (tasks[name]) ms[name] = (await time(name)) / batch;
    for (const name of Object.keys(ms)) msPerToken[name]!.push(ms[name]!);
    ratios.push(ms.kit! / ms.jose!);
    if (dist) distRatios.push(ms.dist! / ms.jose!);
  }
  if (!sink.startsWith("ey")) throw new Error("no token minted");
  const perSec = (name: string) => `${fmt(1000 / median(msPerToken[name]!))} tokens per CPU second`;
  const ratio = median(ratios);
  return {
    checks: [
      { label: `${alg}: kit mint()`, value: perSec("kit") },
      { label: `${alg}: bare jose SignJWT`, value: perSec("jose") },
      {
        label: `${alg}: kit / jose (median ratio)`,
        value: `${ratio.toFixed(3)}× (${((ratio - 1) * 100).toFixed(1)} % overhead)`,
        budget: "≤ 1.1×",
        pass: ratio <= 1.1,
      },
      dist
        ? {
            label: `${alg}: built dist/issuer.js / jose`,
            value: `${median(distRatios).toFixed(3)}× (${perSec("dist")})`,
          }
        : { label: `${alg}: built dist/issuer.js`, value: "not built: skipped" },
    ],
    note:
      `${alg}: ${PAIRS} paired batches of ${batch} tokens; ratios: min ${Math.min(...ratios).toFixed(3)}, ` +
      `median ${ratio.toFixed(3)}, max ${Math.max(...ratios).toFixed(3)}`,
  };
}

export async function run(): Promise<BenchResult> {
  const es = await measure("ES256");
  const rs = await measure("RS256");
  return {
    name: "issuer: tokens minted per CPU second, kit vs bare jose",
    checks: [...es.checks, ...rs.checks],
    notes: [es.note, rs.note],
  };
}

runIfMain(import.meta.url, run);
