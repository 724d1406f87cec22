/**
 * `convex-custom-jwt/issuer`: the other half of custom JWT with Convex, your service signing the tokens.
 *
 * - {@link createIssuer}: the signer. Your keys (PEM, JWK or `CryptoKey`; RS256 or ES256), tokens with exactly
 *   what Convex checks, the JWKS, and key rotation as a pure function of time that never rejects a live token.
 * - {@link jwksHandler} and {@link tokenHandler}: the JWKS and the token endpoint on the Fetch API
 *   (`Request` → `Response`), for Next.js route handlers, Hono, Bun, Deno, Workers and Convex HTTP actions.
 *
 * Runs wherever WebCrypto does (jose); no Node API.
 *
 * @example
 * import { createIssuer, jwksHandler, tokenHandler } from "convex-custom-jwt/issuer";
 *
 * const issuer = await createIssuer({
 *   issuer: "https://auth.example.com",
 *   applicationID: "convex",
 *   keys: [{ kid: "2025-01", privateKey: process.env.JWT_PRIVATE_KEY! }],
 * });
 * export const jwks = jwksHandler(issuer);
 * export const token = tokenHandler(issuer, { authenticate: async () => "user_42" });
 *
 * @module
 */
export { SigningKeyError, createIssuer } from "./create-issuer";
export { jwksHandler } from "./jwks-handler";
export { AuthenticateAnswerError, tokenHandler } from "./token-handler";

export type { Issuer, KeySchedule, MintedToken, MintOptions } from "./create-issuer";
export type { PublicJwk } from "./import-key";
export type { JwksSource } from "./jwks-handler";
export type { Instant, IssuerAlgorithm, IssuerKeyOptions, IssuerOptions, KeyMaterial } from "./options";
export type { AuthenticateResult, TokenHandlerOptions } from "./token-handler";
