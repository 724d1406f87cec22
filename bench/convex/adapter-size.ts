/**
 * The adapters' size budgets, measured exactly as the `size-limit` step of `npm test` measures them (min+gzip
 * with dependencies, `convex` and `react` external), and computed as differences between entries of the same
 * run, so that the core's own growth never counts against the adapters:
 * - `/convex` over the core: the entry importing `{ connectConvex, convexTokenFetcher }` with the core, minus
 *   the core entry (`{ TokenManager }`);
 * - `/react` over core + `/convex`: the entry adding `{ useConvexCustomJwt, ConvexProviderWithCustomJwt }`,
 *   minus the core + `/convex` entry.
 * The entries are found in `.size-limit.json` by what they import, whatever their names say.
 *
 * Run: npx tsup && node --import tsx bench/convex/adapter-size.ts
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fmt, runIfMain, type BenchResult } from "../support/report";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The design budgets, in bytes. */
const CONVEX_BUDGET = 1536; // 1.5 KiB over the core
const REACT_BUDGET = 1024; // 1 KiB over core + /convex

interface Entry {
  name: string;
  path: string | string[];
  import?: string | Record<string, string>;
}

/** The `.size-limit.json` entry whose files are exactly `files`. */
function entryOf(entries: Entry[], files: string[]): Entry {
  const found = entries.find((entry) => [entry.path].flat().sort().join() === [...files].sort().join());
  if (!found) throw new Error(`.size-limit.json has no entry for ${files.join(" + ")}: add it, then run again.`);
  return found;
}

export async function adapterSize(): Promise<BenchResult> {
  const entries = JSON.parse(readFileSync(`${ROOT}.size-limit.json`, "utf8")) as Entry[];
  const core = entries.find((entry) => entry.path === "dist/index.js" && entry.import === "{ TokenManager }");
  if (!core) throw new Error(".size-limit.json has no core entry (dist/index.js, { TokenManager }).");
  const convex = entryOf(entries, ["dist/index.js", "dist/convex.js"]);
  const react = entryOf(entries, ["dist/index.js", "dist/convex.js", "dist/react.js"]);
  const bin = `${ROOT}node_modules/.bin/size-limit`;
  // size-limit exits 1 when an entry is over its limit; its JSON report is complete either way.
  const run = spawnSync(bin, ["--json"], { cwd: ROOT, encoding: "utf8" });
  let measured: { name: string; size: number }[];
  try {
    measured = JSON.parse(run.stdout);
  } catch {
    throw new Error(`size-limit gave no report: build dist/ first (npx tsup). It said: ${run.stderr.slice(-500)}`);
  }
  const size = (entry: Entry) => {
    const result = measured.find((m) => m.name === entry.name);
    if (!result) throw new Error(`size-limit measured no "${entry.name}"`);
    return result.size;
  };
  const [coreBytes, convexBytes, reactBytes] = [size(core), size(convex), size(react)];
  const convexOver = convexBytes - coreBytes;
  const reactOver = reactBytes - convexBytes;
  return {
    name: "adapter sizes (size-limit, min+gzip, differences within one run)",
    checks: [
      { label: "core { TokenManager }", value: `${fmt(coreBytes)} B` },
      { label: "core + /convex", value: `${fmt(convexBytes)} B` },
      { label: "core + /convex + /react", value: `${fmt(reactBytes)} B` },
      {
        label: "/convex over the core",
        value: `${fmt(convexOver)} B`,
        budget: `≤ ${fmt(CONVEX_BUDGET)} B`,
        pass: convexOver <= CONVEX_BUDGET,
      },
      {
        label: "/react over core + /convex",
        value: `${fmt(reactOver)} B`,
        budget: `≤ ${fmt(REACT_BUDGET)} B`,
        pass: reactOver <= REACT_BUDGET,
      },
    ],
  };
}

runIfMain(import.meta.url, adapterSize);
