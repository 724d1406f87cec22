/**
 * What `diagnoseToken` reports: one finding per check, each with a stable code and the fix.
 *
 * @module
 */
import { APPLICATION_ID_FIX } from "./custom-jwt-provider";

/** The checks, in the order the backend runs them (config first: it is checked when you deploy). */
export type CheckName =
  | "config"
  | "format"
  | "provider"
  | "jwks"
  | "kid"
  | "alg"
  | "signature"
  | "exp"
  | "nbf"
  | "iat"
  | "claims"
  | "refresh";

/**
 * `pass`: the check holds; `fail`: the backend rejects the token; `warn`: accepted, but something will hurt; `skip`:
 * could not run (an earlier failure).
 */
export type FindingStatus = "pass" | "fail" | "warn" | "skip";

/** Stable codes of the findings that are not a pass. */
export type FindingCode =
  | "CONFIG_ALGORITHM_UNSUPPORTED"
  | "CONFIG_INVALID"
  | "APPLICATION_ID_MISSING"
  | "NO_PROVIDERS"
  | "TOKEN_MALFORMED"
  | "ISS_MISSING"
  | "ISSUER_MISMATCH"
  | "AUDIENCE_MISSING"
  | "AUDIENCE_MISMATCH"
  | "JWKS_UNREACHABLE"
  | "JWKS_HTTP_ERROR"
  | "JWKS_CONTENT_TYPE"
  | "JWKS_INVALID"
  | "JWKS_DATA_URL_INVALID"
  | "JWKS_CACHE_LONG"
  | "HEADER_MALFORMED"
  | "KID_MISSING"
  | "KID_UNKNOWN"
  | "ALG_MISMATCH"
  | "JWK_ALG_MISMATCH"
  | "SIGNATURE_INVALID"
  | "TOKEN_EXPIRED"
  | "TOKEN_EXPIRES_IN_LEEWAY"
  | "TOKEN_NOT_YET_VALID"
  | "IAT_IN_FUTURE"
  | "SUB_MISSING"
  | "EXP_MISSING"
  | "IAT_MISSING"
  | "LIFETIME_TOO_SHORT"
  // Real issuers' pitfalls (issue 15).
  | "ALG_EDDSA"
  | "ALG_SYMMETRIC"
  | "JWKS_AUTH_REQUIRED"
  | "ISSUER_TRAILING_SLASH";

/** One check's outcome. Never contains a whole token. */
export interface Finding {
  /** Which check this is. */
  check: CheckName;
  status: FindingStatus;
  /** Stable code; `"OK"` for a pass, `"SKIPPED"` for a skip. */
  code: FindingCode | "OK" | "SKIPPED";
  /** What was found, with the values involved (claims, kid, URL…). */
  message: string;
  /** The backend's exact error text for this failure, when it has one (what the Convex logs or the client show). */
  backendMessage?: string;
  /** What to do about it. */
  fix?: string;
}

/** The fix for each code: what to change, and where. */
export const FIXES: Readonly<Record<FindingCode, string>> = {
  CONFIG_ALGORITHM_UNSUPPORTED: 'Set the provider\'s `algorithm` to "RS256" or "ES256" and sign your tokens with it.',
  CONFIG_INVALID:
    "Give the provider an `issuer` (the tokens' `iss`) and a `jwks` http(s) or data: URL; if they come from " +
    "process.env, set them with `npx convex env set`.",
  APPLICATION_ID_MISSING: APPLICATION_ID_FIX,
  NO_PROVIDERS: "Add a `customJwt` provider to `providers` in convex/auth.config.ts and deploy it.",
  TOKEN_MALFORMED:
    "Send the raw JWT (three base64url parts separated by dots, no `Bearer ` prefix or quotes) whose payload has " +
    "string `iss`/`sub`, numeric `exp`/`iat`/`nbf`, and `aud` a string or an array of strings.",
  ISS_MISSING: "Make your issuer set the `iss` claim to the provider's `issuer`.",
  ISSUER_MISMATCH:
    "Make the token's `iss` and the provider's `issuer` identical: same scheme (http ≠ https), host, case and path " +
    "(only trailing slashes are ignored).",
  AUDIENCE_MISSING:
    "Make your issuer set `aud` to the provider's `applicationID` (a string, or an array containing it).",
  AUDIENCE_MISMATCH:
    "Make the token's `aud` contain the provider's `applicationID` exactly, or change `applicationID` to the " +
    "audience your issuer uses.",
  JWKS_UNREACHABLE:
    "Check the `jwks` URL: it must be reachable from the Convex deployment (a public https URL for a cloud " +
    "deployment, not localhost).",
  JWKS_HTTP_ERROR: "Fix the `jwks` URL (it must answer 200 to a GET with `Accept: application/json`).",
  JWKS_CONTENT_TYPE:
    "Serve the JWKS with `Content-Type: application/json` (or `application/jwk-set+json`), charset utf-8 if any.",
  JWKS_INVALID: 'Serve a JSON Web Key Set: `{ "keys": [{ "kty": "RSA" | "EC", "kid": …, … }] }`.',
  JWKS_DATA_URL_INVALID: "Use `data:application/json;base64,<base64 of the JWKS JSON>` as the `jwks` URL.",
  JWKS_CACHE_LONG:
    "Serve the JWKS with a short `Cache-Control: max-age` (minutes, not days): Convex caches it that long, so a new " +
    "key is not seen before it expires.",
  HEADER_MALFORMED:
    'Make the JWT header a JSON object with `alg` ("RS256" or "ES256"), `typ: "JWT"` and the `kid` of a key in your ' +
    "JWKS.",
  KID_MISSING:
    "Make your issuer put the signing key's `kid` in the JWT header, and the same `kid` on that key in the JWKS.",
  KID_UNKNOWN:
    "Publish the signing key in the JWKS under this `kid` (publish new keys before signing with them; Convex caches " +
    "the JWKS for its max-age), or sign with a published key.",
  ALG_MISMATCH:
    "Sign with the provider's `algorithm`, or set `algorithm` to the one your issuer uses (RS256 or ES256).",
  JWK_ALG_MISMATCH: "Make the JWK's `alg` equal the token header's `alg` (or remove `alg` from the JWK).",
  SIGNATURE_INVALID:
    "The token was not signed by the private key of this JWKS entry (or was altered): sign with the key whose " +
    "public half is published under this `kid`.",
  TOKEN_EXPIRED:
    "Send a token that has not expired: fetch a fresh one before `exp` (convex-custom-jwt refreshes ahead of " +
    "`exp`), and check the issuer's clock.",
  TOKEN_EXPIRES_IN_LEEWAY:
    'The backend accepts it (5 s leeway) but the session ends at once with "Convex token identity expired": hand ' +
    "Convex tokens with time left.",
  TOKEN_NOT_YET_VALID: "Don't set `nbf` in the future; check the issuer's clock.",
  IAT_IN_FUTURE: "Don't set `iat` in the future (more than 5 s is rejected); check the issuer's clock.",
  SUB_MISSING: "Make your issuer set `sub` (the user's id): Convex requires it.",
  EXP_MISSING: "Make your issuer set `exp`: Convex requires it.",
  IAT_MISSING:
    "Make your issuer set `iat`: Convex's client needs `iat` and `exp` to schedule refreshes (\"Auth token does not " +
    'have required fields").',
  LIFETIME_TOO_SHORT:
    "Issue tokens that live well over 10 s (Convex's client refetches 10 s before expiry; at 10 s or less it " +
    "refetches in a loop, at 2 s or less never).",
  ALG_EDDSA:
    "Sign with RS256 or ES256, the only algorithms Convex's customJwt accepts. With Better Auth's jwt plugin: " +
    '`jwt({ jwks: { keyPairConfig: { alg: "RS256" } } })`, then delete the EdDSA rows of its `jwks` table (the ' +
    "plugin keeps signing with an existing key).",
  ALG_SYMMETRIC:
    "Sign with an asymmetric key (RS256 or ES256) published in a JWKS: Convex cannot verify a shared-secret " +
    "(HS256) signature. On Supabase, migrate the project from the legacy JWT secret to JWT signing keys.",
  JWKS_AUTH_REQUIRED:
    "Serve the JWKS without authentication: Convex fetches it with no cookie or credentials. Exempt the JWKS " +
    "path from your auth middleware, or use a public URL (or a data: URL).",
  ISSUER_TRAILING_SLASH:
    "Nothing to fix for Convex, which ignores trailing slashes; write `issuer` exactly as the tokens' `iss` so " +
    "that other verifiers (which compare exactly) agree too.",
};
