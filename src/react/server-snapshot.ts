/**
 * `serverSnapshotOf`: what server rendering (and hydration, which must match it) shows of a token manager,
 * from the token the server holds for the request. Pure and deterministic (no clock): the server and the
 * browser compute the same snapshot from the same token, so hydration matches.
 *
 * @module
 */
import { decodeClaims } from "../core/jwt";
import type { TokenSnapshot } from "../core/types";

const EMPTY = {
  hasToken: false,
  issuedAt: null,
  expiresAt: null,
  nextFetchAt: null,
  subject: null,
  issuer: null,
  error: null,
  failures: 0,
  clockSkewMs: 0,
} as const;

/** No token known to the server: loading (`idle`), as before any server token existed. */
export const LOADING_SNAPSHOT: TokenSnapshot = Object.freeze({ ...EMPTY, status: "idle" });

/** The server knows there is no session: signed out, not loading. */
export const SIGNED_OUT_SNAPSHOT: TokenSnapshot = Object.freeze({ ...EMPTY, status: "signedOut" });

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
    const { exp, iat, sub, iss } = decodeClaims(initialToken.trim());
    return Object.freeze({
      ...EMPTY,
      status: "valid",
      hasToken: true,
      issuedAt: iat ?? null,
      expiresAt: exp,
      subject: sub,
      issuer: iss ?? null,
    });
  } catch {
    return LOADING_SNAPSHOT;
  }
}
