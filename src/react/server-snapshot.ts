/**
 * `serverSnapshotOf`: what server rendering (and hydration, which must match it) shows of a token manager,
 * from the token the server holds for the request. Pure and deterministic (no clock): the server and the
 * browser compute the same snapshot from the same token, so hydration matches.
 *
 * @module
 */
import { decodeClaims, type TokenClaims } from "../core/jwt";
import type { TokenSnapshot, TokenStatus } from "../core/types";

/** A snapshot with `status`, holding the token whose `claims` are given (times on the issuer's clock). */
function snapshot(status: TokenStatus, claims?: TokenClaims): TokenSnapshot {
  return Object.freeze({
    status,
    hasToken: claims !== undefined,
    issuedAt: claims?.iat ?? null,
    expiresAt: claims?.exp ?? null,
    nextFetchAt: null,
    subject: claims?.sub ?? null,
    issuer: claims?.iss ?? null,
    error: null,
    failures: 0,
    exhausted: false,
    clockSkewMs: 0,
  });
}

/** No token known to the server: loading (`idle`), as before any server token existed. */
export const LOADING_SNAPSHOT = snapshot("idle");

/** The server knows there is no session: signed out, not loading. */
export const SIGNED_OUT_SNAPSHOT = snapshot("signedOut");

/**
 * The snapshot the server renders for `initialToken`: a string that decodes as a JWT with `exp` and `sub`
 * is signed in (`valid`, its claims' times on the issuer's clock, epoch ms); `null` is signed out;
 * `undefined` (the server cannot tell) or a string that does not decode is loading. The token itself is
 * never in it. Checks against the clock and the expected issuer are the server helper's job
 * (`createServerToken`) and the browser manager's (which drops a token it cannot use, then fetches).
 */
export function serverSnapshotOf(initialToken: string | null | undefined): TokenSnapshot {
  if (initialToken === null) return SIGNED_OUT_SNAPSHOT;
  if (typeof initialToken !== "string") return LOADING_SNAPSHOT;
  try {
    return snapshot("valid", decodeClaims(initialToken.trim()));
  } catch {
    return LOADING_SNAPSHOT;
  }
}
