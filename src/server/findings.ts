/**
 * The one table of `diagnoseToken`'s finding codes: for each, the check that reports it, the party who must
 * act and the fix. A new check adds its rows here (and its step to `diagnose-token.ts`); the README's
 * troubleshooting table cites every code (a test checks both ways).
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
 * Who must act on a finding: the token's issuer (its claims, keys and JWKS), the app's
 * `convex/auth.config.ts` (the provider entry), or the app's client code (which tokens it hands to Convex).
 */
export type FindingParty = "issuer" | "auth.config" | "app";

/** One row of {@link FINDINGS}. */
export interface FindingRow {
  /** The check that reports this code. */
  check: CheckName;
  /** Who must act. */
  party: FindingParty;
  /** What to do, naming where the change goes. */
  fix: string;
}

/**
 * Every finding code that is not a pass, with its check, the party who must act, and the fix.
 *
 * @example
 * import { FINDINGS } from "convex-custom-jwt/server";
 * FINDINGS.KID_UNKNOWN.party; // "issuer": the issuer must publish its signing key in its JWKS
 */
export const FINDINGS = {
  CONFIG_ALGORITHM_UNSUPPORTED: {
    check: "config",
    party: "auth.config",
    fix:
      'In convex/auth.config.ts, set the provider\'s `algorithm` to "RS256" or "ES256" (the two Convex accepts), ' +
      "and have the issuer sign with it.",
  },
  CONFIG_INVALID: {
    check: "config",
    party: "auth.config",
    fix:
      "In convex/auth.config.ts, give the provider an `issuer` (the tokens' `iss`) and a `jwks` http(s) or data: " +
      "URL; if they come from process.env, set them on the deployment with `npx convex env set` (and in your shell " +
      "for `doctor`).",
  },
  APPLICATION_ID_MISSING: { check: "config", party: "auth.config", fix: APPLICATION_ID_FIX },
  NO_PROVIDERS: {
    check: "config",
    party: "auth.config",
    fix: "Add a `customJwt` provider to `providers` in convex/auth.config.ts, then deploy it (`npx convex deploy`).",
  },
  TOKEN_MALFORMED: {
    check: "format",
    party: "app",
    fix:
      "The app must hand Convex the raw JWT (three base64url parts separated by dots, no `Bearer ` prefix or " +
      "quotes); if it does, the issuer must type its claims: string `iss`/`sub`, numeric `exp`/`iat`/`nbf`, `aud` " +
      "a string or an array of strings.",
  },
  ISS_MISSING: {
    check: "provider",
    party: "issuer",
    fix: "The issuer must set the `iss` claim to the provider's `issuer` in convex/auth.config.ts.",
  },
  ISSUER_MISMATCH: {
    check: "provider",
    party: "issuer",
    fix:
      "Make the token's `iss` (set by the issuer) and the provider's `issuer` in convex/auth.config.ts identical: " +
      "same scheme (http ≠ https), host, case and path (only trailing slashes are ignored).",
  },
  AUDIENCE_MISSING: {
    check: "provider",
    party: "issuer",
    fix:
      "The issuer must set `aud` to the provider's `applicationID` in convex/auth.config.ts (a string, or an array " +
      "containing it).",
  },
  AUDIENCE_MISMATCH: {
    check: "provider",
    party: "issuer",
    fix:
      "The issuer must put the provider's `applicationID` in the token's `aud` exactly, or convex/auth.config.ts " +
      "must set `applicationID` to the audience the issuer uses.",
  },
  ISSUER_TRAILING_SLASH: {
    check: "provider",
    party: "auth.config",
    fix:
      "Nothing to fix for Convex, which ignores trailing slashes; in convex/auth.config.ts, write the provider's " +
      "`issuer` exactly as the tokens' `iss`, so that verifiers which compare exactly agree too.",
  },
  JWKS_UNREACHABLE: {
    check: "jwks",
    party: "auth.config",
    fix:
      "Point the provider's `jwks` in convex/auth.config.ts at a URL the Convex deployment can reach (a public " +
      "https URL for a cloud deployment, not localhost), and have the issuer serve its keys there.",
  },
  JWKS_HTTP_ERROR: {
    check: "jwks",
    party: "auth.config",
    fix:
      "Fix the provider's `jwks` URL in convex/auth.config.ts, or the issuer's server behind it: it must answer 200 " +
      "to a GET with `Accept: application/json`.",
  },
  JWKS_AUTH_REQUIRED: {
    check: "jwks",
    party: "issuer",
    fix:
      "The issuer must serve its JWKS without authentication: Convex fetches it with no cookie or credentials. " +
      "Exempt the JWKS path from the issuer's auth middleware, or point the provider's `jwks` in " +
      "convex/auth.config.ts at a public URL (or a data: URL holding the key set).",
  },
  JWKS_CONTENT_TYPE: {
    check: "jwks",
    party: "issuer",
    fix:
      "The issuer must serve the JWKS with `Content-Type: application/json` (or `application/jwk-set+json`), charset " +
      "utf-8 if any.",
  },
  JWKS_INVALID: {
    check: "jwks",
    party: "auth.config",
    fix:
      'Point the provider\'s `jwks` in convex/auth.config.ts at the key set itself: `{ "keys": [{ "kty": "RSA" | ' +
      '"EC", "kid": …, … }] }` (not a single JWK, an HTML page or an OIDC discovery document).',
  },
  JWKS_DATA_URL_INVALID: {
    check: "jwks",
    party: "auth.config",
    fix:
      "In convex/auth.config.ts, use `data:application/json;base64,<base64 of the JWKS JSON>` as the provider's " +
      "`jwks` URL.",
  },
  JWKS_CACHE_LONG: {
    check: "jwks",
    party: "issuer",
    fix:
      "The issuer must serve the JWKS with a short `Cache-Control: max-age` (minutes, not days): Convex caches it " +
      "that long, so a new key is not seen before it expires.",
  },
  JWKS_CACHE_MISSING: {
    check: "jwks",
    party: "issuer",
    fix:
      "The issuer must serve the JWKS with `Cache-Control: public, max-age=300` (minutes, not seconds or days; " +
      "convex-custom-jwt/issuer's jwksHandler does), and publish each new key at least that long before signing " +
      "with it.",
  },
  HEADER_MALFORMED: {
    check: "kid",
    party: "issuer",
    fix:
      'The issuer must make the JWT header a JSON object with `alg` ("RS256" or "ES256"), `typ: "JWT"` and the ' +
      "`kid` of a key in its JWKS.",
  },
  ALG_EDDSA: {
    check: "kid",
    party: "issuer",
    fix:
      "The issuer must sign with RS256 or ES256, the only algorithms Convex's customJwt accepts. With Better Auth's " +
      'jwt plugin: `jwt({ jwks: { keyPairConfig: { alg: "RS256" } } })`, then delete the EdDSA rows of its `jwks` ' +
      "table (the plugin keeps signing with a key it already has).",
  },
  ALG_SYMMETRIC: {
    check: "kid",
    party: "issuer",
    fix:
      "The issuer must sign with an asymmetric key (RS256 or ES256) published in a JWKS: Convex cannot verify a " +
      "shared-secret (HS256) signature. On Supabase, migrate the project from the legacy JWT secret to JWT " +
      "signing keys.",
  },
  KID_MISSING: {
    check: "kid",
    party: "issuer",
    fix: "The issuer must put the signing key's `kid` in the JWT header, and the same `kid` on that key in its JWKS.",
  },
  KID_UNKNOWN: {
    check: "kid",
    party: "issuer",
    fix:
      "The issuer must publish the signing key in its JWKS under this `kid` (publish new keys before signing with " +
      "them: Convex caches the JWKS for its max-age), or sign with a published key.",
  },
  KID_MAYBE_NOT_CACHED: {
    check: "kid",
    party: "issuer",
    fix:
      "The issuer must publish a new key at least the JWKS's max-age before signing with it " +
      "(convex-custom-jwt/issuer rotates this way) and, until then, sign with the previous key; if this kid was " +
      "published earlier, nothing to do.",
  },
  KEY_PUBLISHED_LATE: {
    check: "kid",
    party: "issuer",
    fix:
      "Next rotation, the issuer must publish the new key at least the JWKS's max-age before signing with it " +
      "(convex-custom-jwt/issuer computes when), and keep the old key published until its last token has expired.",
  },
  ALG_MISMATCH: {
    check: "alg",
    party: "issuer",
    fix:
      "The issuer must sign with the provider's `algorithm`, or convex/auth.config.ts must set `algorithm` to the " +
      "one the issuer uses (RS256 or ES256).",
  },
  JWK_ALG_MISMATCH: {
    check: "alg",
    party: "issuer",
    fix: "The issuer must make the JWK's `alg` equal the token header's `alg` (or remove `alg` from the JWK).",
  },
  SIGNATURE_INVALID: {
    check: "signature",
    party: "issuer",
    fix:
      "The issuer must sign with the private key whose public half its JWKS publishes under this `kid` (the token " +
      "was signed by another key, or altered on the way).",
  },
  TOKEN_EXPIRED: {
    check: "exp",
    party: "app",
    fix:
      "The app must send a token that has not expired: fetch a fresh one before `exp` (convex-custom-jwt refreshes " +
      "ahead of `exp`); if tokens arrive expired, check the issuer's clock.",
  },
  TOKEN_EXPIRES_IN_LEEWAY: {
    check: "exp",
    party: "app",
    fix:
      'The backend accepts it (5 s leeway) but the session ends at once with "Convex token identity expired": the ' +
      "app must hand Convex tokens with time left.",
  },
  TOKEN_NOT_YET_VALID: {
    check: "nbf",
    party: "issuer",
    fix: "The issuer must not set `nbf` in the future (more than 5 s is rejected): check the issuer's clock.",
  },
  IAT_IN_FUTURE: {
    check: "iat",
    party: "issuer",
    fix: "The issuer must not set `iat` in the future (more than 5 s is rejected): check the issuer's clock.",
  },
  SUB_MISSING: {
    check: "claims",
    party: "issuer",
    fix: "The issuer must set `sub` (the user's id): Convex requires it.",
  },
  EXP_MISSING: { check: "claims", party: "issuer", fix: "The issuer must set `exp`: Convex requires it." },
  IAT_MISSING: {
    check: "refresh",
    party: "issuer",
    fix:
      "The issuer must set `iat`: Convex's client needs `iat` and `exp` to schedule refreshes (\"Auth token does not " +
      'have required fields").',
  },
  LIFETIME_TOO_SHORT: {
    check: "refresh",
    party: "issuer",
    fix:
      "The issuer must issue tokens that live well over 10 s (Convex's client refetches 10 s before expiry; at 10 s " +
      "or less it refetches in a loop, at 2 s or less never).",
  },
} as const satisfies Record<string, FindingRow>;

/** Stable codes of the findings that are not a pass: the keys of {@link FINDINGS}. */
export type FindingCode = keyof typeof FINDINGS;

/**
 * The fix for each code: what to change, and where (the `fix` column of {@link FINDINGS}).
 *
 * @example
 * import { FIXES } from "convex-custom-jwt/server";
 * FIXES.KID_UNKNOWN; // "The issuer must publish the signing key in its JWKS under this `kid` …"
 */
export const FIXES: Readonly<Record<FindingCode, string>> = /* @__PURE__ */ (() =>
  Object.fromEntries(Object.entries(FINDINGS).map(([code, row]) => [code, row.fix])) as Record<FindingCode, string>)();
