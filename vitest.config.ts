import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Examples import the package by name, as users do; resolve it to the sources.
  resolve: {
    alias: [
      {
        find: /^convex-custom-jwt\/testing\/msw$/,
        replacement: fileURLToPath(new URL("./src/testing/msw.ts", import.meta.url)),
      },
      {
        find: /^convex-custom-jwt\/testing$/,
        replacement: fileURLToPath(new URL("./src/testing/index.ts", import.meta.url)),
      },
      {
        find: /^convex-custom-jwt\/server$/,
        replacement: fileURLToPath(new URL("./src/server/index.ts", import.meta.url)),
      },
      {
        find: /^convex-custom-jwt\/issuer$/,
        replacement: fileURLToPath(new URL("./src/issuer/index.ts", import.meta.url)),
      },
      {
        find: /^convex-custom-jwt\/react$/,
        replacement: fileURLToPath(new URL("./src/react/index.ts", import.meta.url)),
      },
      {
        find: /^convex-custom-jwt\/nextjs$/,
        replacement: fileURLToPath(new URL("./src/nextjs/index.ts", import.meta.url)),
      },
      {
        find: /^convex-custom-jwt\/convex$/,
        replacement: fileURLToPath(new URL("./src/convex/index.ts", import.meta.url)),
      },
      { find: /^convex-custom-jwt$/, replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
    ],
  },
  test: {
    // The pack-and-consume test has its own config (test/package/vitest.config.ts), run by .ci/run.
    exclude: ["**/node_modules/**", "test/package/**"],
    include: ["test/**/*.test.ts", "test/**/*.test.tsx", "examples/**/*.test.ts"],
    restoreMocks: true,
    // At least 3 test files at a time, even on 2 cores (vitest's default there is 1): most files spend their
    // time waiting on sockets, Chromium, next build and timers, not on the CPU (npm test's suite: about 150 s
    // instead of 250 s on 2 cores).
    maxWorkers: Math.max(3, availableParallelism() - 1),
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
