// Mutation testing of the core entry's modules (`npm run mutate`): StrykerJS 9.6.1 with its vitest runner.
// Not part of `npm test` or CI: a run takes long on 2 cores. How to run it and the last scores are in
// CONTRIBUTING.md ("Mutation testing").
//
// - `mutate`: every module of src/core/ that holds code; types.ts and token-source.ts hold only types. A run
//   over a few modules: `npm run mutate -- --mutate src/core/accept.ts,src/core/retry.ts`.
// - The tests: test/core/vitest.mutate.config.ts (the core's unit tests, fewer property runs, no child
//   process). `perTest` coverage runs, for each mutant, only the tests that reach it.
// - `concurrency: 2`: one vitest worker per core (say `--concurrency 1` when the machine is shared).
// - `timeoutMS`: a mutant that makes the manager loop (a timer re-armed at once) is cut off 5 s past the
//   tests' normal time, and counts as detected.
// - `incremental`: a later run re-tests only the mutants whose code or covering tests changed since the last
//   one. Its file (reports/stryker-incremental.json) is git-ignored: it is a cache of one machine's last run,
//   it changes with every edit of src/core/ or test/core/, and two branches' copies cannot be merged. Run
//   `npm run mutate -- --force` for a full run (a score to record).

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  packageManager: "npm",
  testRunner: "vitest",
  vitest: { configFile: "test/core/vitest.mutate.config.ts" },
  mutate: ["src/core/**/*.ts", "!src/core/types.ts", "!src/core/token-source.ts"],
  coverageAnalysis: "perTest",
  concurrency: 2,
  incremental: true,
  incrementalFile: "reports/stryker-incremental.json",
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  ignorePatterns: ["dist", "coverage", ".matrix", "bench", "demo", "examples"],
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
  timeoutMS: 5_000,
  thresholds: { high: 90, low: 80, break: null },
};
