/**
 * The local deployment's `customJwt` validation: the `AuthInfo::CustomJwt` branch of the backend's
 * `validate_id_token`, in its order, with its error strings, and the JWKS fetch with an HTTP cache that
 * follows Cache-Control.
 *
 * @internal
 * @module
 */
import { compactVerify, importJWK } from "jose";
import { STATUS_CODES } from "node:http";
import { audiences, issuerMatches, providerIssuerUrl } from "../../core/issuer";
import { decodeJwtPart } from "../../core/jwt";
import {
  BACKEND_MESSAGES,
  REGISTERED_CLAIMS,
  SIGNATURE_ALGS,
  decodeDataUrl as decodeJwksDataUrl,
  isJwksContentType,
  isObject,
  noProviderMessage,
  parseJwks,
  parsePayload,
  present,
  providerMatches,
  signatureFailureMessage,
  temporalFailure,
} from "../../server/backend-rules";
import type { CustomJwtProvider } from "../../server/custom-jwt-provider";
// ---------------------------------------------------------------------------
// customJwt validation (crates/authentication/src/lib.rs `validate_id_token`)
// ---------------------------------------------------------------------------

/** An `ErrorMetadata::unauthenticated(code, message)` from the backend. */
export class AuthFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Identity {
  attributes: Record<string, unknown>;
  /** `exp` in ms: the session identity expires here, with no leeway. */
  expMs: number;
}

export const MSG = BACKEND_MESSAGES;

type Claims = Record<string, unknown>;

/** Unverified payload, typed like biscuit's `RegisteredClaims` (wrong types = unparseable). */
function unverifiedPayload(token: string): Claims {
  const payload = parsePayload(token);
  if (!payload) throw new AuthFailure("InvalidAuthHeader", MSG.unparseable);
  return payload;
}

/** `extract_custom_jwt_claims`: nested objects become dotted keys, other values keep their JSON type. */
export function flattenClaims(obj: Record<string, unknown>, prefix = "", out: Claims = {}): Claims {
  for (const [key, value] of Object.entries(obj)) {
    if (isObject(value)) flattenClaims(value, `${prefix}${key}.`, out);
    else out[`${prefix}${key}`] = value;
  }
  return out;
}

/** The token's `exp` claim in ms, if it is readable (for the `expired` bookkeeping only). */
export function peekExpMs(token: string | undefined): number | undefined {
  try {
    const exp = token === undefined ? undefined : decodeJwtPart(token, "payload").exp;
    return typeof exp === "number" ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

interface CachedResponse {
  status: number;
  contentType: string | null;
  body: string;
  expiresAt: number;
}

/**
 * JWKS fetching with an HTTP cache that follows Cache-Control (crates/http_client: http-cache `CacheMode::Default`,
 * shared).
 */
export class JwksFetcher {
  private cache = new Map<string, CachedResponse>();
  constructor(private now: () => number) {}

  invalidate() {
    this.cache.clear();
  }

  /** `fetch_jwks`: the body of a 200 JSON response, or the backend's error. */
  async fetch(uri: string): Promise<string> {
    if (uri.startsWith("data:")) {
      try {
        return decodeJwksDataUrl(uri);
      } catch (err) {
        throw new AuthFailure("InvalidAuthHeader", (err as Error).message);
      }
    }
    let res = this.cache.get(uri);
    if (!res || this.now() >= res.expiresAt) {
      res = await this.fetchFresh(uri);
    }
    if (res.status !== 200) {
      const reason = STATUS_CODES[res.status] ?? "Unknown";
      throw new AuthFailure("InvalidAuthHeader", MSG.jwksHttp(uri, res.status, reason));
    }
    if (!isJwksContentType(res.contentType)) {
      throw new AuthFailure("InvalidAuthHeader", MSG.jwksContentType(res.contentType ?? "unknown", uri));
    }
    return res.body;
  }

  private async fetchFresh(uri: string): Promise<CachedResponse> {
    let response: Response;
    let body: string;
    try {
      response = await fetch(uri, { headers: { Accept: "application/json" } });
      body = await response.text();
    } catch {
      // reqwest's Display for a connection failure.
      throw new AuthFailure("InvalidAuthHeader", MSG.jwksNetwork(uri, safeHref(uri)));
    }
    const freshMs = freshnessMs(response.headers.get("cache-control"), response.status);
    const res: CachedResponse = {
      status: response.status,
      contentType: response.headers.get("content-type"),
      body,
      expiresAt: this.now() + freshMs,
    };
    if (freshMs > 0) this.cache.set(uri, res);
    else this.cache.delete(uri);
    return res;
  }
}

/** Explicit freshness of a response for a shared cache, in ms (0 = don't reuse). */
function freshnessMs(cacheControl: string | null, status: number): number {
  if (!cacheControl || ![200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501].includes(status)) return 0;
  const directives = new Map(
    cacheControl.split(",").map((d) => {
      const [k = "", v] = d.trim().split("=");
      return [k.toLowerCase(), v?.replace(/^"|"$/g, "")] as const;
    }),
  );
  if (directives.has("no-store") || directives.has("no-cache") || directives.has("private")) return 0;
  const seconds = Number(directives.get("s-maxage") ?? directives.get("max-age"));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

function safeHref(uri: string): string {
  try {
    return new URL(uri).href;
  } catch {
    return uri;
  }
}

/** The `AuthInfo::CustomJwt` branch of `validate_id_token`, in the backend's order. */
export class CustomJwtValidator {
  private keys = new Map<string, Promise<CryptoKey | Uint8Array>>();
  constructor(
    private providers: CustomJwtProvider[],
    private jwks: JwksFetcher,
  ) {}

  async validate(token: string, nowMs: number): Promise<Identity> {
    // 1. Route on the unverified iss/aud.
    const payload = unverifiedPayload(token);
    if (!present(payload.iss)) throw new AuthFailure("InvalidAuthHeader", MSG.missingIss);
    const iss = payload.iss as string;
    const auds = audiences(payload.aud);
    const provider = this.providers.find((p) => providerMatches(p, iss, auds));
    if (!provider) throw new AuthFailure("NoAuthProvider", noProviderMessage(this.providers));

    // 2. JWKS.
    const body = await this.jwks.fetch(provider.jwks);
    const jwkSet = parseJwks(body);
    if (!jwkSet) throw new AuthFailure("InvalidAuthHeader", MSG.jwksBody(provider.jwks));

    // 3. Signature (biscuit `decode_with_jwks`). Every failure becomes the kid message.
    if (!(await this.verifySignature(token, jwkSet, provider.algorithm))) {
      throw new AuthFailure("InvalidAuthHeader", signatureFailureMessage(token));
    }

    // 4. Re-check iss and aud. Routing already guarantees both; kept for fidelity.
    if (!issuerMatches(provider.issuer, iss)) {
      throw new AuthFailure("InvalidAuthHeader", MSG.invalidIssuer(iss, providerIssuerUrl(provider.issuer)));
    }
    if (provider.applicationID !== undefined) {
      if (!present(payload.aud)) throw new AuthFailure("InvalidAuthHeader", MSG.missingAud);
      if (!auds.includes(provider.applicationID)) {
        throw new AuthFailure("InvalidAuthHeader", MSG.invalidAudience(provider.applicationID, auds));
      }
    }

    // 5. Time, with biscuit's 5 s epsilon on whole seconds (`as_secs()`).
    const exp = payload.exp as number | undefined | null;
    const temporal = temporalFailure(payload, nowMs);
    if (temporal) throw new AuthFailure("InvalidAuthHeader", temporal.message);

    // 6. `UserIdentity::from_custom_jwt`: sub, iss, exp are required. Its own
    // "Missing subject"/"Missing expiry" are hidden behind this context message.
    if (!present(payload.sub) || !present(exp)) throw new AuthFailure("InvalidAuthHeader", MSG.badClaims);
    const custom = flattenClaims(
      Object.fromEntries(Object.entries(payload).filter(([k]) => !REGISTERED_CLAIMS.has(k))),
    );
    delete custom.fva; // changes on every refresh; dropped so it doesn't bust the query cache
    const sub = payload.sub as string;
    return {
      attributes: { ...custom, tokenIdentifier: `${iss}|${sub}`, subject: sub, issuer: iss },
      expMs: exp! * 1000,
    };
  }

  private async verifySignature(token: string, jwkSet: Record<string, unknown>[], algorithm: string): Promise<boolean> {
    let header: Record<string, unknown>;
    try {
      header = decodeJwtPart(token, "header");
    } catch {
      return false;
    }
    if (typeof header.alg !== "string" || !SIGNATURE_ALGS.has(header.alg)) return false;
    if (typeof header.kid !== "string") return false; // KidMissing
    const jwk = jwkSet.find((k) => k.kid === header.kid);
    if (!jwk) return false; // KeyNotFound
    // WrongAlgorithmHeader / UnsupportedKeyAlgorithm: header alg == configured alg == JWK alg (if any).
    if (jwk.alg !== undefined && jwk.alg !== null && jwk.alg !== header.alg) return false;
    if (header.alg !== algorithm) return false;
    try {
      await compactVerify(token, await this.importKey(jwk, algorithm), { algorithms: [algorithm] });
      return true;
    } catch {
      return false;
    }
  }

  private importKey(jwk: Record<string, unknown>, alg: string): Promise<CryptoKey | Uint8Array> {
    // Only the public parameters: `alg`/`use`/`key_ops` were checked above and
    // must not make jose stricter than biscuit.
    const params = Object.fromEntries(
      Object.entries(jwk).filter(([k, v]) => ["kty", "n", "e", "crv", "x", "y"].includes(k) && v !== undefined),
    );
    const cacheKey = JSON.stringify({ params, alg });
    let key = this.keys.get(cacheKey);
    if (!key) {
      key = importJWK(params as Parameters<typeof importJWK>[0], alg);
      key.catch(() => this.keys.delete(cacheKey));
      this.keys.set(cacheKey, key);
    }
    return key;
  }
}
