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
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
