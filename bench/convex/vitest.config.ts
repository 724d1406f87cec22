import { defineConfig } from "vitest/config";

/** `npm run bench:convex`: the Convex-client benchmark runs under vitest for its fake timers. */
export default defineConfig({
  test: { include: ["bench/convex/**/*.test.ts"], testTimeout: 120_000 },
});
