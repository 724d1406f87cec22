/**
 * The core's unit tests, for mutation testing only (`npm run mutate`, see stryker.config.mjs): the tests of
 * `test/core/` on the injected `FakeClock`, without the one that spawns a real Node process (a child process
 * never sees Stryker's active mutant, so it could kill nothing, and it costs seconds per mutant).
 *
 * The property test runs `PROPERTY_RUNS` random sequences (10 here, 100 in `npm test`): it covers nearly every
 * mutant, and Stryker runs it for each one that the focused tests let survive.
 *
 *   npx vitest run -c test/core/vitest.mutate.config.ts
 */
import { defineConfig } from "vitest/config";
import base from "../../vitest.config";

// Built by hand, not with mergeConfig: mergeConfig would append to `include` instead of replacing it.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    name: "core (mutation)",
    include: ["test/core/**/*.test.ts"],
    exclude: [...(base.test?.exclude ?? []), "test/core/token-manager.node.test.ts"],
    env: { PROPERTY_RUNS: process.env.PROPERTY_RUNS ?? "10" },
  },
});
