/**
 * The Convex backend's rules for `type: "customJwt"` providers, and its exact error strings, in one place:
 * `diagnoseToken` (this entry) and the local deployment (`convex-custom-jwt/testing`) both use them.
 *
 * Sources: get-convex/convex-backend @ 94a42c3 `crates/authentication/src/lib.rs` (`validate_id_token`,
 * `fetch_jwks`), `crates/common/src/auth.rs` (`matches_token`, `deserialize_issuer_url`),
 * `crates/keybroker/src/broker.rs` (`from_custom_jwt`), and get-convex/biscuit @ 05bdaab (temporal checks,
 * 5 s epsilon). Runtime-agnostic: no Node APIs.
 *
 * @internal
 * @module
 */
import { issuerMatches, providerIssuerUrl } from "../core/issuer";
import { decodeJwtPart } from "../core/jwt";

/** The backend's fixed error strings (`ErrorMetadata::unauthenticated`), verbatim. */
export const BACKEND_MESSAGES = {
  unparseable:
    "Could not parse JWT payload. Check that the token is a valid JWT format with three base64-encoded parts " +
    "separated by dots.",
  missingIss:
    "Missing issuer claim ('iss') in JWT payload. The JWT must include an 'iss' claim that matches one of your " +
    "configured auth providers.",
  missingAud:
    "Missing audience claim ('aud') in JWT payload. The JWT must include an 'aud' claim that matches your " +
    "configured application ID.",
  badClaims:
    "Could not verify token claim. Check that the JWT contains valid claims and matches your auth provider " +
    "configuration.",
  missingKid: "Could not decode token. JWT may be missing a 'kid' (key ID) header.",
  badKid: (kid: string): string =>
    `Could not decode token. The JWT's 'kid' (key ID) header is '${kid}', does this key match any key in the ` +
    `provider's JWKS?`,
  expired: "Convex token identity expired",
  badAlgorithm: "Invalid signature algorithm (only RS256 and ES256 are supported)",
  noProviders:
    "No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts.",
  noProvider: (list: string): string =>
    `No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your ` +
    `configured providers: [${list}]`,
  jwksHttp: (uri: string, status: number, reason: string): string =>
    `Could not fetch JWKS from URL '${uri}': HTTP ${status} ${reason}. Check that the URL is correct and accessible.`,
  jwksNetwork: (uri: string, href: string): string =>
    `Could not fetch JWKS from URL '${uri}': error sending request for url (${href}). Check that the URL is correct ` +
    `and accessible.`,
  jwksContentType: (contentType: string, uri: string): string =>
    `Invalid Content-Type '${contentType}' when fetching JWKS from '${uri}'. Expected 'application/json' or ` +
    `'application/jwk-set+json'.`,
  jwksBody: (uri: string): string =>
    `Invalid JWKS response body from '${uri}'. The response is not valid JSON or doesn't match the expected JWKS ` +
    `format.`,
  jwksDataUrl:
    "Invalid JWKS data URL. Check that the data URL is properly formatted and contains valid base64-encoded JSON.",
  invalidIssuer: (iss: string, issuer: string): string => `Invalid issuer: ${iss} != ${issuer}`,
  invalidAudience: (app: string, auds: string[]): string => `Invalid audience: ${app} not in ${rustDebugList(auds)}`,
  expiredAgo: (seconds: number): string => `Could not validate token: Token expired ${seconds} seconds ago`,
  validIn: (seconds: number): string => `Could not validate token: Token will be valid in ${seconds} seconds`,
} as const;

/** biscuit's `TemporalOptions.epsilon` used by the backend for customJwt, in seconds. */
export const LEEWAY_SECONDS = 5;

/** Convex's client default `authRefreshTokenLeewaySeconds`: it refetches this long before `exp`. */
export const CLIENT_REFRESH_LEEWAY_SECONDS = 10;

/** The two algorithms a customJwt provider may be configured with. */
export const SUPPORTED_ALGORITHMS = ["RS256", "ES256"] as const;

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

/** Rust `{:?}` of a `Vec<&str>`; identical to JSON for ordinary strings. */
export const rustDebugList = (items: string[]): string => `[${items.map((s) => JSON.stringify(s)).join(", ")}]`;

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

/** A JWKS Content-Type the backend accepts: JSON or JWK-set JSON, charset utf-8 if any. */
export function isJwksContentType(value: string | null): boolean {
  if (!value) return false;
  const [essence = "", ...params] = value.split(";").map((s) => s.trim());
  if (!["application/json", "application/jwk-set+json"].includes(essence.toLowerCase())) return false;
  const charset = params.map((p) => p.split("=")).find(([k]) => k?.trim().toLowerCase() === "charset");
  return !charset || charset[1]?.trim().replace(/^"|"$/g, "").toLowerCase() === "utf-8";
}

/** A JWKS body the backend accepts: `{ keys: [{ kty: string, ... }] }`. Returns the keys, else `undefined`. */
export function parseJwks(body: string): Record<string, unknown>[] | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (!isObject(parsed) || !Array.isArray(parsed.keys)) return undefined;
    if (!parsed.keys.every((k) => isObject(k) && typeof k.kty === "string")) return undefined;
    return parsed.keys as Record<string, unknown>[];
  } catch {
    return undefined;
  }
}

/** Decode a `data:` JWKS URL (base64 or percent-encoded). Throws the backend's message on failure. */
export function decodeDataUrl(uri: string): string {
  const comma = uri.indexOf(",");
  try {
    if (comma < 0) throw new Error("no comma");
    const meta = uri.slice(5, comma);
    const data = uri.slice(comma + 1);
    if (!/;base64$/i.test(meta)) return decodeURIComponent(data);
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    return new TextDecoder().decode(bytes);
  } catch {
    throw new Error(BACKEND_MESSAGES.jwksDataUrl);
  }
}

/**
 * biscuit's temporal checks with the 5 s epsilon, on whole seconds, in its order: `exp`, `nbf`, `iat`.
 * Returns the failing claim and the backend's message, or `undefined` when the token passes.
 */
export function temporalFailure(
  claims: Claims,
  nowMs: number,
): { claim: "exp" | "nbf" | "iat"; message: string } | undefined {
  const nowSec = Math.floor(nowMs / 1000);
  const { exp, nbf, iat } = claims as { exp?: number | null; nbf?: number | null; iat?: number | null };
  if (present(exp) && nowSec - exp! > LEEWAY_SECONDS) {
    return { claim: "exp", message: BACKEND_MESSAGES.expiredAgo(Math.trunc(nowSec - exp!)) };
  }
  if (present(nbf) && nbf! - nowSec > LEEWAY_SECONDS) {
    return { claim: "nbf", message: BACKEND_MESSAGES.validIn(Math.trunc(nbf! - nowSec)) };
  }
  if (present(iat) && iat! - nowSec > LEEWAY_SECONDS) {
    return { claim: "iat", message: BACKEND_MESSAGES.validIn(Math.trunc(iat! - nowSec)) };
  }
  return undefined;
}

/** HTTP reason phrases the backend quotes for common JWKS failures (reqwest's canonical reasons). */
export function reasonPhrase(status: number): string {
  const reasons: Record<number, string> = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    410: "Gone",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
  };
  return reasons[status] ?? "Unknown";
}
