/**
 * The local deployment's `customJwt` validation: the `AuthInfo::CustomJwt` branch of the backend's
 * `validate_id_token`, in its order, with its error strings. Every rule comes from `server/backend-rules.ts`
 * (shared with `diagnoseToken`); the signature is verified with jose, independently of `diagnoseToken`'s
 * WebCrypto check.
 *
 * @internal
 * @module
 */
import { compactVerify, importJWK } from "jose";
import { audiences, issuerMatches, providerIssuerUrl } from "../../core/issuer";
import { decodeJwtPart } from "../../core/jwt";
import { BACKEND_MESSAGES as MSG } from "../../server/backend-messages";
import {
  REGISTERED_CLAIMS,
  isObject,
  missingIdentityClaims,
  noProviderMessage,
  parseHeader,
  parsePayload,
  present,
  providerMatches,
  selectJwk,
  signatureFailureMessage,
  temporalFailure,
} from "../../server/backend-rules";
import type { CustomJwtProvider } from "../../server/custom-jwt-provider";
import { parseJwks } from "../../server/jwks-rules";
import { AuthFailure } from "./auth-failure";
import type { JwksFetcher } from "./jwks-fetcher";

/** Who a token says the user is, as `ctx.auth.getUserIdentity()` returns it, and until when. */
export interface Identity {
  attributes: Record<string, unknown>;
  /** The token's `exp`, in seconds: the session's identity ends there, with no leeway. */
  exp: number;
}

type Claims = Record<string, unknown>;

/** `extract_custom_jwt_claims`: nested objects become dotted keys, other values keep their JSON type. */
export function flattenClaims(obj: Record<string, unknown>, prefix = "", out: Claims = {}): Claims {
  for (const [key, value] of Object.entries(obj)) {
    if (isObject(value)) flattenClaims(value, `${prefix}${key}.`, out);
    else out[`${prefix}${key}`] = value;
  }
  return out;
}

/**
 * Whether `token` was already expired (`exp` ≤ now, no leeway) when the deployment received it: the
 * `expired` field of its records. A token without a readable `exp` counts as not expired.
 */
export function arrivedExpired(token: string | undefined, nowMs: number): boolean {
  try {
    const exp = token === undefined ? undefined : decodeJwtPart(token, "payload").exp;
    return typeof exp === "number" && exp * 1000 <= nowMs;
  } catch {
    return false;
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
    // 1. Route on the unverified iss/aud (typed like biscuit's RegisteredClaims: wrong types = unparseable).
    const payload = parsePayload(token);
    if (!payload) throw new AuthFailure("InvalidAuthHeader", MSG.unparseable);
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
    const temporal = temporalFailure(payload, nowMs);
    if (temporal) throw new AuthFailure("InvalidAuthHeader", temporal.message);

    // 6. `UserIdentity::from_custom_jwt`: sub, iss, exp are required. Its own
    // "Missing subject"/"Missing expiry" are hidden behind this context message.
    if (missingIdentityClaims(payload).length > 0) throw new AuthFailure("InvalidAuthHeader", MSG.badClaims);
    const custom = flattenClaims(
      Object.fromEntries(Object.entries(payload).filter(([k]) => !REGISTERED_CLAIMS.has(k))),
    );
    delete custom.fva; // changes on every refresh; dropped so it doesn't bust the query cache
    const sub = payload.sub as string;
    return {
      attributes: { ...custom, tokenIdentifier: `${iss}|${sub}`, subject: sub, issuer: iss },
      exp: payload.exp as number,
    };
  }

  private async verifySignature(token: string, jwkSet: Record<string, unknown>[], algorithm: string): Promise<boolean> {
    const selected = selectJwk(parseHeader(token), jwkSet, algorithm);
    if (!selected.ok) return false;
    try {
      await compactVerify(token, await this.importKey(selected.jwk, algorithm), { algorithms: [algorithm] });
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
