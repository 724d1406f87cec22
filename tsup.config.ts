import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    convex: "src/convex/index.ts",
    react: "src/react/index.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  // CJS needs shared chunks too, or `convex-custom-jwt/convex` gets its own copy of the core classes.
  splitting: true,
  target: "es2022",
  treeshake: true,
});
