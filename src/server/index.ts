/**
 * `convex-custom-jwt/server`: the Convex side of a custom JWT issuer.
 *
 * - {@link customJwtProvider}: a checked `customJwt` entry for `convex/auth.config.ts`.
 * - {@link diagnoseToken}: the backend's checks on a token, with the backend's own error text and the fix.
 *
 * No dependencies (signatures are checked with WebCrypto), so it also runs where Convex evaluates
 * `auth.config.ts`.
 *
 * @example
 * import { customJwtProvider } from "convex-custom-jwt/server";
 * export default {
 * providers: [customJwtProvider({ issuer: "https://auth.example.com", jwks: "https://auth.example.com/jwks.json",
 * applicationID: "convex" })],
 * };
 *
 * @module
 */
export { customJwtProvider } from "./custom-jwt-provider";
export { diagnoseToken } from "./diagnose-token";
export { BACKEND_MESSAGES } from "./backend-messages";
export { FINDINGS, FIXES } from "./findings";

export type { CustomJwtProvider, CustomJwtProviderOptions } from "./custom-jwt-provider";
export type { Diagnosis, DiagnoseTokenOptions, ProvidersInput } from "./diagnose-token";
export type { Finding, FindingStatus } from "./finding";
export type { CheckName, FindingCode, FindingParty, FindingRow } from "./findings";
