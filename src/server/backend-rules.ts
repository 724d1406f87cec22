/**
 * The Convex backend's rules for `type: "customJwt"` tokens, in one place: `diagnoseToken` (this entry) and
 * the local deployment (`convex-custom-jwt/testing`) both use them. Issuer and audience matching live in
 * the core (`core/issuer.ts`), decoding in `core/jwt.ts` (jwt-decode), the backend's words in
 * `backend-messages.ts` and its JWKS handling in `jwks-rules.ts`.
 *
 * Sources: get-convex/convex-backend @ 94a42c3 `crates/authentication/src/lib.rs` (`validate_id_token`),
 * `crates/common/src/auth.rs` (`matches_token`), `crates/keybroker/src/broker.rs` (`from_custom_jwt`),
 * `crates/sync/src/state.rs` (the session's identity), and get-convex/biscuit @ 05bdaab (the signature
 * stage and the temporal checks with their 5 s epsilon). Runtime-agnostic: no Node APIs.
 *
 * @internal
 * @module
 */
import { BACKEND_LEEWAY_MS, CONVEX_CLIENT_REFRESH_LEEWAY_SECONDS } from "../core/convex-time-rules";
import { issuerMatches, providerIssuerUrl } from "../core/issuer";
import { decodeJwtPart } from "../core/jwt";
import { BACKEND_MESSAGES } from "./backend-messages";

/** biscuit's `TemporalOptions.epsilon` used by the backend for customJwt, in seconds. */
export const LEEWAY_SECONDS = BACKEND_LEEWAY_MS / 1000;

/** Convex's client default `authRefreshTokenLeewaySeconds`: it refetches this long before `exp`. */
export const CLIENT_REFRESH_LEEWAY_SECONDS = CONVEX_CLIENT_REFRESH_LEEWAY_SECONDS;

/** biscuit's `SignatureAlgorithm` names: a header `alg` outside this set makes the header unparseable. */
export const SIGNATURE_ALGS: ReadonlySet<string> = new Set([
  "none",
  "HS256",
  "HS384",
  "HS512",
  "RS256",
  "RS384",
  "RS512",
  "ES256",
  "ES384",
  "ES512",
  "PS256",
  "PS384",
  "PS512",
]);

/** Claims biscuit parses as registered claims; they never reach `ctx.auth.getUserIdentity()`. */
export const REGISTERED_CLAIMS: ReadonlySet<string> = new Set(["iss", "sub", "aud", "exp", "nbf", "iat", "jti"]);

/** Minimal shape of a provider for the rules below. */
export interface ProviderLike {
  issuer: string;
  applicationID?: string | undefined;
}

export type Claims = Record<string, unknown>;

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** serde treats `null` as `None`. */
export const present = (v: unknown): boolean => v !== undefined && v !== null;

/**
 * The unverified payload, typed like biscuit's `RegisteredClaims`: `iss`/`sub`/`jti` strings, `exp`/`nbf`/`iat`
 * numbers, `aud` a string or an array of strings. Returns `undefined` where the backend says "Could not parse JWT
 * payload".
 */
export function parsePayload(token: string): Claims | undefined {
  let payload: unknown;
  try {
    payload = decodeJwtPart(token, "payload");
  } catch {
    return undefined;
  }
  const ok =
    isObject(payload) &&
    ["iss", "sub", "jti"].every((k) => !present(payload[k]) || typeof payload[k] === "string") &&
    ["exp", "nbf", "iat"].every((k) => !present(payload[k]) || typeof payload[k] === "number") &&
    (!present(payload.aud) ||
      typeof payload.aud === "string" ||
      (Array.isArray(payload.aud) && payload.aud.every((a) => typeof a === "string")));
  return ok ? (payload as Claims) : undefined;
}

/** The protected header, or `undefined` when it is not a JSON object. */
export function parseHeader(token: string): Record<string, unknown> | undefined {
  try {
    return decodeJwtPart(token, "header");
  } catch {
    return undefined;
  }
}

/** The kid the backend quotes in its error: only if the header parses with a known `alg`. */
export function quotedKid(token: string): string | undefined {
  const header = parseHeader(token);
  return header && typeof header.alg === "string" && SIGNATURE_ALGS.has(header.alg) && typeof header.kid === "string"
    ? header.kid
    : undefined;
}

/** The backend's message for every signature-stage failure (biscuit's errors all become this). */
export const signatureFailureMessage = (token: string): string => {
  const kid = quotedKid(token);
  return kid === undefined ? BACKEND_MESSAGES.missingKid : BACKEND_MESSAGES.badKid(kid);
};

/** `matches_token`: does this provider route the token with these `iss` and `aud`? */
export function providerMatches(p: ProviderLike, iss: string, auds: string[]): boolean {
  return (p.applicationID === undefined || auds.includes(p.applicationID)) && issuerMatches(p.issuer, iss);
}

/** The `NoAuthProvider` message for this provider list. */
export function noProviderMessage(providers: readonly ProviderLike[]): string {
  if (providers.length === 0) return BACKEND_MESSAGES.noProviders;
  const list = providers
    .map((p) => `CustomJWT(issuer=${providerIssuerUrl(p.issuer)}, app_id=${p.applicationID ?? "none"})`)
    .join(", ");
  return BACKEND_MESSAGES.noProvider(list);
}

/** Why the signature stage picks no key, in biscuit's order (each ends in the backend's `kid` message). */
export type KeySelectionFailure =
  | "HEADER_MALFORMED"
  | "KID_MISSING"
  | "KID_UNKNOWN"
  | "JWK_ALG_MISMATCH"
  | "ALG_MISMATCH";

/**
 * biscuit's `decode_with_jwks` up to the signature: the header must parse with a known `alg` and carry a
 * `kid` found in the JWKS; the JWK's `alg` (if any), the header's `alg` and the provider's `algorithm` must
 * agree. Returns the key to verify with, or why there is none.
 */
export function selectJwk(
  header: Record<string, unknown> | undefined,
  keys: readonly Record<string, unknown>[],
  algorithm: string,
): { ok: true; jwk: Record<string, unknown> } | { ok: false; failure: KeySelectionFailure } {
  if (!header || typeof header.alg !== "string" || !SIGNATURE_ALGS.has(header.alg)) {
    return { ok: false, failure: "HEADER_MALFORMED" };
  }
  if (typeof header.kid !== "string") return { ok: false, failure: "KID_MISSING" };
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) return { ok: false, failure: "KID_UNKNOWN" };
  if (present(jwk.alg) && jwk.alg !== header.alg) return { ok: false, failure: "JWK_ALG_MISMATCH" };
  if (header.alg !== algorithm) return { ok: false, failure: "ALG_MISMATCH" };
  return { ok: true, jwk };
}

/** One of biscuit's temporal checks that fails: the claim and the backend's message. */
export interface TemporalFailure {
  claim: "exp" | "nbf" | "iat";
  message: string;
}

/**
 * biscuit's temporal checks with the 5 s epsilon, on whole seconds: every one that fails, in its order
 * (`exp`, `nbf`, `iat`). The backend answers with the first.
 */
export function temporalFailures(claims: Claims, nowMs: number): TemporalFailure[] {
  const nowSec = Math.floor(nowMs / 1000);
  const { exp, nbf, iat } = claims as { exp?: number | null; nbf?: number | null; iat?: number | null };
  const failures: TemporalFailure[] = [];
  if (present(exp) && nowSec - exp! > LEEWAY_SECONDS) {
    failures.push({ claim: "exp", message: BACKEND_MESSAGES.expiredAgo(Math.trunc(nowSec - exp!)) });
  }
  if (present(nbf) && nbf! - nowSec > LEEWAY_SECONDS) {
    failures.push({ claim: "nbf", message: BACKEND_MESSAGES.validIn(Math.trunc(nbf! - nowSec)) });
  }
  if (present(iat) && iat! - nowSec > LEEWAY_SECONDS) {
    failures.push({ claim: "iat", message: BACKEND_MESSAGES.validIn(Math.trunc(iat! - nowSec)) });
  }
  return failures;
}

/** The temporal check the backend fails the token on (the first of {@link temporalFailures}), if any. */
export function temporalFailure(claims: Claims, nowMs: number): TemporalFailure | undefined {
  return temporalFailures(claims, nowMs)[0];
}

/** `UserIdentity::from_custom_jwt`: the claims it requires beyond `iss` (checked when routing) that are missing. */
export function missingIdentityClaims(claims: Claims): ("sub" | "exp")[] {
  return (["sub", "exp"] as const).filter((claim) => !present(claims[claim]));
}

/** A session's identity ends at its token's `exp` (seconds), with no leeway: "Convex token identity expired". */
export function identityExpired(expSec: number, nowMs: number): boolean {
  return nowMs >= expSec * 1000;
}
