/** Moved to `src/testing/convex-deployment.ts` (`convex-custom-jwt/testing`); kept for older imports. */
export * from "../../src/testing/convex-deployment";
export type * from "../../src/testing/deployment/types";
