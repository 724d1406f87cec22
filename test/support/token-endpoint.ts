/** Moved to `src/testing/token-endpoint.ts` (`convex-custom-jwt/testing`); kept for older imports. */
export * from "../../src/testing/token-endpoint";
