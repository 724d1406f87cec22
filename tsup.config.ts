import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    convex: "src/convex/index.ts",
    // convex-custom-jwt/testing, /testing/msw, /server and the `convex-custom-jwt` bin: imported only by
    // these entries, never by the core (jose, msw, ws and node:* stay out of dist/index.js).
    testing: "src/testing/index.ts",
    "testing-msw": "src/testing/msw.ts",
    server: "src/server/index.ts",
    // convex-custom-jwt/issuer: the signer, the JWKS and token handlers (jose; runs wherever WebCrypto does).
    issuer: "src/issuer/index.ts",
    cli: "src/cli/bin.ts",
    react: "src/react/index.ts",
    // convex-custom-jwt/nextjs: server helpers for the App Router (react and next stay external: peers).
    nextjs: "src/nextjs/index.ts",
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
