/**
 * `convex-custom-jwt/testing`: test your Convex custom-JWT integration offline, with no test framework
 * required (vitest, jest, `node:test` or a plain script).
 *
 * - {@link createTestIssuer}: RS256/ES256 keys with a `kid`, the JWKS, `sign(claims)` / `mint(overrides)`
 *   for valid and deliberately broken tokens, the matching `customJwt` provider, and `serve()` (a localhost
 *   JWKS + token endpoint).
 * - {@link startLocalConvexDeployment}: a local Convex deployment speaking the real client's sync and HTTP
 *   protocols and validating tokens exactly as the Convex backend does, down to its error strings.
 * - {@link createFakeClock}: the fake `Clock` the library's own tests use (advance, jump, sleep).
 * - msw handlers for the JWKS and token endpoint live in `convex-custom-jwt/testing/msw`.
 *
 * Node only (it opens loopback sockets). Needs `jose` (a dependency) and, for the deployment only (loaded on
 * first use), `convex` and `ws` (installed with `convex`).
 *
 * @module
 */
export { createTestIssuer } from "./test-issuer";
export { startTokenEndpoint } from "./token-endpoint";
export { startLocalConvexDeployment } from "./start-local-convex-deployment";
export { unsignedJwt } from "./unsigned-jwt";
export { FakeClock, createFakeClock, settle } from "./fake-clock";
export { ioActivity } from "./io-activity";

export type { MintOptions, ServedTestIssuer, TestIssuer, TestIssuerOptions } from "./test-issuer";
export type { TokenEndpoint, TokenEndpointIssuer, TokenEndpointOptions } from "./token-endpoint";
export type {
  AuthErrorRecord,
  AuthenticateRecord,
  CustomJwtProvider,
  FunctionDef,
  HttpRecord,
  LocalConvexDeployment,
  LocalConvexDeploymentOptions,
} from "./deployment/types";
export type { FakeClockOptions } from "./fake-clock";
export type { IoActivity } from "./io-activity";
