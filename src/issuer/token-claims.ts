/**
 * What a token carries, built in one place for the production signer and the testing kit (so the two cannot
 * drift): the header Convex reads (`alg`, `typ`, `kid`), the claims it checks (`iss`, `aud`, `sub`, `iat`,
 * `exp`), a random `jti` (two tokens are never byte-identical, which would stop Convex's refresh), and the
 * app's custom claims.
 *
 * @internal
 * @module
 */
import { REGISTERED_CLAIMS } from "../server/backend-rules";
import type { IssuerAlgorithm } from "./options";

/** A JWT header as the signer writes it. */
export interface TokenHeader {
  alg: IssuerAlgorithm;
  typ: "JWT";
  kid: string;
}

/** What {@link tokenPayload} needs. */
export interface PayloadInput {
  issuer: string;
  applicationID: string;
  subject: string;
  /** Epoch milliseconds. */
  nowMs: number;
  lifetimeSec: number;
  claims?: Record<string, unknown>;
}

/** The header for a token signed by `kid`. */
export const tokenHeader = (alg: IssuerAlgorithm, kid: string): TokenHeader => ({ alg, typ: "JWT", kid });

/**
 * The payload: `iss`, `sub`, `aud`, `iat`, `exp` (seconds) and a random `jti`, then the custom claims. The signer
 * refuses custom claims with those names ({@link checkCustomClaims}); the testing kit uses them as overrides.
 */
export function tokenPayload(input: PayloadInput): Record<string, unknown> {
  const iat = Math.floor(input.nowMs / 1000);
  return {
    iss: input.issuer,
    sub: input.subject,
    aud: input.applicationID,
    iat,
    exp: iat + input.lifetimeSec,
    jti: crypto.randomUUID(),
    ...input.claims,
  };
}

/**
 * Check the app's custom claims: a plain object whose names leave the registered claims to the signer.
 * Throws a `TypeError` naming `path` (e.g. `claims.sub`).
 */
export function checkCustomClaims(path: string, claims: unknown): Record<string, unknown> | undefined {
  if (claims === undefined || claims === null) return undefined;
  if (typeof claims !== "object" || Array.isArray(claims)) {
    throw new TypeError(
      `${path} must be a plain object of custom claims, got ${Array.isArray(claims) ? "an array" : typeof claims}.`,
    );
  }
  for (const name of Object.keys(claims)) {
    if (REGISTERED_CLAIMS.has(name)) {
      throw new TypeError(
        `${path}.${name} is set by the issuer (iss, sub, aud, iat, exp, nbf and jti are): remove it from the custom ` +
          "claims; pass the user's id as the subject.",
      );
    }
  }
  return claims as Record<string, unknown>;
}
