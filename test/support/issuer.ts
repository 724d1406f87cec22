/**
 * Moved to `src/testing/` (the public `convex-custom-jwt/testing` kit). This shim keeps older imports from
 * `test/support/issuer` working.
 */
export * from "../../src/testing/test-issuer";
export * from "../../src/testing/unsigned-jwt";
export * from "../../src/testing/io-activity";
