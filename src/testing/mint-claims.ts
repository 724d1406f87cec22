/**
 * The claims every test token gets, in one place: the signed issuer (`createTestIssuer`, jose) and the
 * unsigned one the library's unit tests use (`createUnsignedIssuer`) build their tokens here, so both mint
 * the same `iss`, `sub`, `aud`, `iat`, `exp` and `jti` from the same defaults and overrides. The payload is
 * the production signer's (`convex-custom-jwt/issuer`, `tokenPayload`) with the overrides on top.
 *
 * @module
 */
import { tokenPayload } from "../issuer/token-claims";

/** Per-token overrides for `mint()`. `null` always means "leave the claim (or header) out". */
export interface MintOptions {
  /** `sub` claim. Default: the issuer's current `subject`. `null` omits it. */
  sub?: string | null;
  /** Lifetime in seconds used for the default `exp`. Default: the issuer's `lifetimeSeconds` (900). */
  lifetimeSec?: number;
  /** `iat` in seconds. Default: now on the issuer clock. `null` omits it. */
  iat?: number | null;
  /** `exp` in seconds. Default: `iat + lifetimeSec` (or now + lifetime when `iat` is omitted). `null` omits it. */
  exp?: number | null;
  /** `aud` claim. Default: the issuer's `applicationID`. `null` omits it. */
  aud?: string | string[] | null;
  /** `iss` claim. Default: the issuer's `issuer`. `null` omits it. */
  iss?: string | null;
  /**
   * Header `kid`. Default: the current key's kid (none for an unsigned issuer). `null` omits it. Any string is
   * used verbatim (a signed token is still signed with the current key).
   */
  kid?: string | null;
  /** Extra claims, merged last: they can override anything above (e.g. a non-string `sub`, or `nbf`). */
  claims?: Record<string, unknown>;
}

/** What an issuer puts in every token unless a {@link MintOptions} overrides it. */
export interface ClaimDefaults {
  /** The `iss` claim. */
  issuer: string;
  /** The `aud` claim (Convex's `applicationID`). */
  applicationID: string;
  /** The `sub` claim. */
  subject: string;
  /** The default lifetime, in seconds. */
  lifetimeSeconds: number;
}

/** The defaults of both test issuers: `https://issuer.test`, audience `convex`, `user_1`, 15 minutes. */
export const DEFAULT_CLAIMS: Readonly<ClaimDefaults> = {
  issuer: "https://issuer.test",
  applicationID: "convex",
  subject: "user_1",
  lifetimeSeconds: 900,
};

/**
 * The payload of a token minted at `nowMs` (issuer clock): `iss`, `sub`, `aud`, `iat` (whole seconds), `exp`
 * and `jti`, then `m.claims` on top; a claim that ends up `null` or `undefined` is left out.
 *
 * @example
 * mintClaims(DEFAULT_CLAIMS, Date.now(), { exp: null }, "t1"); // no `exp`
 */
export function mintClaims(defaults: ClaimDefaults, nowMs: number, m: MintOptions, jti: string) {
  const lifetimeSec = m.lifetimeSec ?? defaults.lifetimeSeconds;
  const { applicationID, issuer, subject } = defaults;
  const base = tokenPayload({ issuer, applicationID, subject, nowMs, lifetimeSec });
  const nowSec = base.iat as number;
  const iat = m.iat === undefined ? nowSec : m.iat;
  const exp = m.exp === undefined ? (iat ?? nowSec) + lifetimeSec : m.exp;
  const overrides: Record<string, unknown> = { iat, exp, jti };
  if (m.iss !== undefined) overrides.iss = m.iss;
  if (m.sub !== undefined) overrides.sub = m.sub;
  if (m.aud !== undefined) overrides.aud = m.aud;
  return withoutNulls({ ...base, ...overrides, ...m.claims });
}

/** `obj` without the entries whose value is `null` or `undefined`. */
export function withoutNulls(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== null && v !== undefined));
}
