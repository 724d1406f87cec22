/**
 * The package as users get it (run by .ci/run, not by `npm test`: it packs, installs into scratch
 * projects and takes about two minutes).
 *
 *   npx vitest run -c test/package/vitest.config.ts
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/package/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
