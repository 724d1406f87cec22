/**
 * `createUnsignedIssuer`: the test issuer without keys, for unit tests under a fake clock. It mints the same
 * claims as `createTestIssuer` (`mint-claims.ts`), synchronously and unsigned, so only decoders that do not
 * verify (jwt-decode, Convex's client, the token manager) accept its tokens; anything that checks signatures
 * (the local deployment, `diagnoseToken`) needs `createTestIssuer`.
 *
 * @module
 */
import { DEFAULT_CLAIMS, mintClaims, withoutNulls, type MintOptions } from "./mint-claims";
import { unsignedJwt } from "./unsigned-jwt";

/** Options of {@link createUnsignedIssuer}; the defaults are `createTestIssuer`'s. */
export interface UnsignedIssuerOptions {
  /** The `iss` claim. @default "https://issuer.test" */
  issuer?: string;
  /** The `aud` claim. @default "convex" */
  applicationID?: string;
  /** The `sub` claim. @default "user_1" */
  subject?: string;
  /** Default token lifetime, in seconds. @default 900 */
  lifetimeSeconds?: number;
  /** The issuer's clock, in ms. @default () => Date.now() (looked up at call time) */
  now?: () => number;
}

/** An issuer that mints unsigned tokens synchronously; see {@link createUnsignedIssuer}. */
export interface UnsignedIssuer {
  readonly issuer: string;
  readonly applicationID: string;
  readonly lifetimeSeconds: number;
  /** Who the next token is for. Mutable on purpose ("switch user"). */
  subject: string;
  /** The issuer's clock, in ms. */
  now: () => number;
  /** An unsigned JWT with the default claims and `m`'s overrides, and a `jti` no other token has. */
  mint(m?: MintOptions): string;
}

/** Tokens minted by every unsigned issuer so far: their `jti`, so no two tokens are ever byte-identical. */
let minted = 0;

/**
 * Create an {@link UnsignedIssuer}.
 *
 * @example
 * const clock = createFakeClock();
 * const issuer = createUnsignedIssuer({ now: () => clock.now() });
 * const token = issuer.mint({ lifetimeSec: 60 }); // header { alg: "RS256", typ: "JWT" }, junk signature
 */
export function createUnsignedIssuer(options: UnsignedIssuerOptions = {}): UnsignedIssuer {
  const issuer: UnsignedIssuer = {
    issuer: options.issuer ?? DEFAULT_CLAIMS.issuer,
    applicationID: options.applicationID ?? DEFAULT_CLAIMS.applicationID,
    subject: options.subject ?? DEFAULT_CLAIMS.subject,
    lifetimeSeconds: options.lifetimeSeconds ?? DEFAULT_CLAIMS.lifetimeSeconds,
    now: options.now ?? (() => Date.now()),
    mint(m = {}) {
      const payload = mintClaims(issuer, issuer.now(), m, `u${++minted}`);
      return unsignedJwt(payload, withoutNulls({ alg: "RS256", typ: "JWT", kid: m.kid }));
    },
  };
  return issuer;
}
