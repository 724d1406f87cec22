import { defineConfig } from "vitest/config";

/** `npm run bench:react`: the React provider paths, under vitest for jsdom and its fake timers. */
export default defineConfig({
  test: { include: ["bench/react/**/*.test.tsx"], environment: "jsdom", testTimeout: 180_000 },
});
