/**
 * Bundle size, min+gzip with dependencies, measured with esbuild on the built `dist/` (as an app bundler
 * would see the package): the core (`{ TokenManager }`, what the 8.5 KiB budget is measured on), and the `/convex`
 * entry's cost on top of it.
 * `convex`, `convex/*` and `react` stay external (peer dependencies).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { fmt, runIfMain, type BenchResult } from "./support/report";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FALLBACK_DIR = "node_modules/.cache/convex-custom-jwt-bench";
const CORE_BUDGET = 8_704; // 8.5 KiB, eventemitter3 and jwt-decode included (not met: see bench/README.md)
const CONVEX_BUDGET = 1536; // 1.5 KiB over the core (issue 13)

interface Size {
  minified: number;
  gzip: number;
  /** Minified bytes contributed by each input file. */
  inputs: Record<string, number>;
}

async function measure(contents: string): Promise<Size> {
  const result = await build({
    stdin: { contents, resolveDir: ROOT, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    external: ["convex", "convex/*", "react"],
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]!.contents;
  const inputs: Record<string, number> = {};
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [file, { bytesInOutput }] of Object.entries(output.inputs))
      if (bytesInOutput > 0) inputs[file] = bytesInOutput;
  }
  return { minified: code.length, gzip: gzipSync(code, { level: 9 }).length, inputs };
}

/** The folder holding the built entries: `dist/`, built now if missing; a core-only build if `tsup` fails. */
function builtDir(notes: string[]): string {
  if (existsSync(`${ROOT}dist/index.js`)) return "dist";
  const tsup = `${ROOT}node_modules/.bin/tsup`;
  try {
    execFileSync(tsup, [], { cwd: ROOT, stdio: "pipe" });
    notes.push("dist/ was missing: ran `npx tsup`");
    return "dist";
  } catch (error) {
    const reason = String((error as { stderr?: Buffer }).stderr ?? error)
      .trim()
      .split("\n")
      .pop();
    execFileSync(tsup, ["--entry.index", "src/index.ts", "--out-dir", FALLBACK_DIR, "--no-dts"], {
      cwd: ROOT,
      stdio: "pipe",
    });
    notes.push(
      `dist/ was missing and \`npx tsup\` failed (${reason}): built the core entry alone into ${FALLBACK_DIR}/`,
    );
    return FALLBACK_DIR;
  }
}

const kb = (bytes: number) => `${fmt(bytes)} B (${(bytes / 1024).toFixed(2)} KB)`;

export async function run(): Promise<BenchResult> {
  const notes: string[] = [];
  const dir = builtDir(notes);
  const coreImport = `export { TokenManager } from "./${dir}/index.js";`;
  const core = await measure(coreImport);
  const everything = await measure(`export * from "./${dir}/index.js";`);

  const checks: BenchResult["checks"] = [
    {
      label: "core: { TokenManager }",
      value: `${kb(core.gzip)} min+gzip, ${fmt(core.minified)} B min`,
      budget: "≤ 8.5 KiB",
      pass: core.gzip <= CORE_BUDGET,
    },
    { label: "whole root entry (export *)", value: `${kb(everything.gzip)} min+gzip` },
  ];
  if (existsSync(`${ROOT}${dir}/convex.js`)) {
    const both = await measure(`export * from "./${dir}/convex.js";\n${coreImport}`);
    const extra = both.gzip - core.gzip;
    checks.push({
      label: "/convex on top of core",
      value: `${kb(extra)} min+gzip`,
      budget: "≤ 1.5 KiB",
      pass: extra <= CONVEX_BUDGET,
    });
  } else {
    checks.push({ label: "/convex on top of core", value: "not built yet", budget: "≤ 1.5 KiB" });
  }
  const byInput = Object.entries(core.inputs).sort((a, b) => b[1] - a[1]);
  notes.push(
    `core, minified bytes by input: ` +
      `${byInput.map(([file, n]) => `${relative(ROOT, file) || file} ${fmt(n)}`).join(", ")}`,
  );
  return { name: "bundle size (esbuild, min+gzip level 9, with dependencies)", checks, notes };
}

runIfMain(import.meta.url, run);
