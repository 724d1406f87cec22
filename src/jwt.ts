/**
 * Decode a JWT (without verifying it: that is the Convex backend's job) and check the claims this library
 * and Convex depend on, early, with errors that say what to change in the issuer.
 *
 * @module
 */
import { jwtDecode, type JwtPayload } from "jwt-decode";
import { InvalidTokenError, tokenHint, type TokenWarningCode } from "./errors";

/** What the manager keeps of a token's claims (times in ms on the issuer's clock). */
export interface TokenClaims {
  /** `exp` in ms. */
  exp: number;
  /** `iat` in ms, if the token has one. */
  iat: number | undefined;
  sub: string | undefined;
  iss: string | undefined;
  /** The whole decoded payload. */
  payload: JwtPayload & Record<string, unknown>;
}

/** What the claims are checked against before a token is accepted. */
export interface ExpectedClaims {
  /** The provider's `issuer` in `convex/auth.config.ts`. Compared as the Convex backend does. */
  issuer?: string;
  /** The provider's `applicationID`: the token's `aud` (a string or an array) must contain it. */
  applicationID?: string;
}

/** A problem worth telling the app about that does not stop the token from being used. */
export interface TokenWarning {
  code: TokenWarningCode;
  message: string;
}

/**
 * Decode `token` and check the claims every consumer needs.
 * @throws InvalidTokenError `ERR_TOKEN_MALFORMED` (not a JWT), `ERR_TOKEN_MISSING_EXP`,
 * `ERR_TOKEN_ISSUER_MISMATCH`, `ERR_TOKEN_AUDIENCE_MISMATCH`.
 */
export function decodeClaims(token: string, expected: ExpectedClaims = {}): TokenClaims {
  let payload: JwtPayload & Record<string, unknown>;
  try {
    // jwt-decode only reads the second dot-separated part, so "Bearer <jwt>", a JSON `{"token":"<jwt>"}` or a
    // trailing newline would pass here and fail at the Convex backend: require the compact form itself.
    if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)) throw new Error("not three base64url parts separated by dots");
    payload = jwtDecode(token);
  } catch (error) {
    throw new InvalidTokenError(
      "ERR_TOKEN_MALFORMED",
      `The fetcher returned something that is not a JWT (${tokenHint(token)}): ${(error as Error).message}. ` +
        "Return the token string itself (or { token }), or null when the user is signed out.",
      token,
    );
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    throw new InvalidTokenError("ERR_TOKEN_MALFORMED", `The JWT payload is not a JSON object (${tokenHint(token)}).`, token);
  }
  if (typeof payload.exp !== "number" || !Number.isFinite(payload.exp)) {
    throw new InvalidTokenError(
      "ERR_TOKEN_MISSING_EXP",
      `The JWT has no numeric \`exp\` claim (${tokenHint(token)}). Convex requires \`exp\`: configure the issuer ` +
        "to set an expiry (seconds since the epoch).",
      token,
    );
  }
  checkExpected(token, payload, expected);
  return {
    exp: payload.exp * 1000,
    iat: typeof payload.iat === "number" && Number.isFinite(payload.iat) ? payload.iat * 1000 : undefined,
    sub: typeof payload.sub === "string" ? payload.sub : undefined,
    iss: typeof payload.iss === "string" ? payload.iss : undefined,
    payload,
  };
}

/**
 * Normalize an issuer the way the Convex backend does before comparing: `https://` is prefixed when there
 * is no scheme, and trailing slashes are dropped. The comparison is otherwise exact (case, http vs https).
 */
export function normalizeIssuer(issuer: string): string {
  const withScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(issuer) ? issuer : `https://${issuer}`;
  return withScheme.replace(/\/+$/, "");
}

function checkExpected(token: string, payload: JwtPayload, expected: ExpectedClaims): void {
  if (expected.issuer !== undefined) {
    const iss = payload.iss;
    if (typeof iss !== "string" || normalizeIssuer(iss) !== normalizeIssuer(expected.issuer)) {
      throw new InvalidTokenError(
        "ERR_TOKEN_ISSUER_MISMATCH",
        `The JWT's issuer ${iss === undefined ? "(missing `iss`)" : JSON.stringify(iss)} does not match the expected ` +
          `issuer ${JSON.stringify(expected.issuer)}, so Convex would answer "No auth provider found matching the given ` +
          'token". Make the issuer\'s `iss` claim and the provider\'s `issuer` in convex/auth.config.ts the same URL ' +
          "(same scheme and case; a trailing slash does not matter).",
        token,
      );
    }
  }
  if (expected.applicationID !== undefined) {
    const aud = payload.aud;
    const audiences = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud : [];
    if (!audiences.includes(expected.applicationID)) {
      throw new InvalidTokenError(
        "ERR_TOKEN_AUDIENCE_MISMATCH",
        `The JWT's audience ${aud === undefined ? "(missing `aud`)" : JSON.stringify(aud)} does not contain the ` +
          `expected applicationID ${JSON.stringify(expected.applicationID)}, so Convex would answer "No auth provider ` +
          'found matching the given token". Set the issuer\'s `aud` claim to the provider\'s `applicationID` in ' +
          "convex/auth.config.ts.",
        token,
      );
    }
  }
}
