/**
 * Decode a JWT (without verifying it: that is the Convex backend's job) and check the claims this library
 * and Convex depend on, early, with errors that say what to change in the issuer.
 *
 * @module
 */
import { jwtDecode, type JwtPayload } from "jwt-decode";
import { InvalidTokenError, tokenHint } from "./errors";
import { audiences, issuerMatches } from "./issuer";

/** What the manager keeps of a token's claims (times in ms on the issuer's clock). */
export interface TokenClaims {
  /** `exp` in ms. */
  exp: number;
  /** `iat` in ms, if the token has one. */
  iat: number | undefined;
  /** `nbf` in ms, if the token has one. */
  nbf: number | undefined;
  sub: string;
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

/**
 * The `ERR_TOKEN_MALFORMED` error for a fetcher result that is not a JWT. `what` says what it got instead
 * (never the whole token: a short hint at most).
 */
export function notAJwt(what: string, token = ""): InvalidTokenError {
  return new InvalidTokenError(
    "ERR_TOKEN_MALFORMED",
    `The app's \`fetchToken\` returned something that is not a JWT (got ${what}): make it return the token (or ` +
      "{ token }), or null when the user is signed out. If it reads a token endpoint, check what the endpoint " +
      'sends: a "Bearer " prefix, quotes or JSON around the token are not a JWT.',
    token,
  );
}

/** A JWT's two JSON parts, decoded but not verified. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: JwtPayload & Record<string, unknown>;
}

/**
 * Decode a compact JWT's header and payload with jwt-decode, without verifying it (that is the backend's job).
 * Stricter than reading one part: "Bearer <jwt>", a JSON `{"token":"<jwt>"}` or a trailing newline would pass
 * {@link decodeJwtPart} and fail at the Convex backend, so the whole compact form is required.
 *
 * @throws Error when `token` is not three base64url parts separated by dots whose first two are JSON objects.
 */
export function decodeJwt(token: string): DecodedJwt {
  if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(token)) throw new Error("not three base64url parts separated by dots");
  return { header: decodeJwtPart(token, "header"), payload: decodeJwtPart(token, "payload") };
}

/**
 * One part of a JWT, decoded with jwt-decode (the one decoder of this package) and not verified: what the
 * backend reads before it checks anything (it routes on the payload alone). The part must be base64url (no
 * padding, no `+` or `/`) of a JSON object in UTF-8.
 *
 * @throws Error when the part is missing or is not that.
 */
export function decodeJwtPart(token: string, part: "header" | "payload"): Record<string, unknown> {
  const segment = token.split(".")[part === "header" ? 0 : 1];
  if (segment === undefined || !/^[\w-]*$/.test(segment)) throw new Error(`the ${part} is not base64url`);
  const value: unknown = jwtDecode(token, { header: part === "header" });
  if (!isJsonObject(value)) throw new Error(`the ${part} is not a JSON object`);
  return value;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Decode `token` and check the claims every consumer needs.
 * @throws InvalidTokenError `ERR_TOKEN_MALFORMED` (not a JWT), `ERR_TOKEN_MISSING_EXP`,
 * `ERR_TOKEN_EXP_NOT_SECONDS` (`exp` in milliseconds, or beyond any date), `ERR_TOKEN_MISSING_SUB`,
 * `ERR_TOKEN_ISSUER_MISMATCH`, `ERR_TOKEN_AUDIENCE_MISMATCH`.
 */
export function decodeClaims(token: string, expected: ExpectedClaims = {}): TokenClaims {
  let payload: JwtPayload & Record<string, unknown>;
  try {
    payload = decodeJwt(token).payload;
  } catch (error) {
    throw notAJwt(`${tokenHint(token)}: ${(error as Error).message}`, token);
  }
  const { exp, iat, nbf, sub, iss, aud } = payload;
  // Number.isFinite is false for anything but a finite number (no coercion).
  if (!Number.isFinite(exp)) {
    throw new InvalidTokenError(
      "ERR_TOKEN_MISSING_EXP",
      `The JWT (${tokenHint(token)}) has no numeric \`exp\` claim, which Convex requires: make the issuer set it ` +
        "(epoch seconds).",
      token,
    );
  }
  // 1e11 s is the year 5138, while an `exp` in milliseconds today is about 1.8e12.
  if (exp! >= 1e11) {
    throw new InvalidTokenError(
      "ERR_TOKEN_EXP_NOT_SECONDS",
      `The JWT (${tokenHint(token)}) has an \`exp\` of ${exp}, which is not in epoch seconds (it looks like ` +
        "milliseconds, or lies beyond any date): make the issuer set `exp` in seconds, as Convex reads it.",
      token,
    );
  }
  if (typeof sub !== "string" || !sub) {
    throw new InvalidTokenError(
      "ERR_TOKEN_MISSING_SUB",
      `The JWT (${tokenHint(token)}) has no \`sub\` claim, which Convex requires: make the issuer set \`sub\` to ` +
        "the user's id.",
      token,
    );
  }
  const { issuer, applicationID } = expected;
  if (issuer !== undefined && (typeof iss !== "string" || !issuerMatches(issuer, iss))) {
    throw new InvalidTokenError(
      "ERR_TOKEN_ISSUER_MISMATCH",
      `The JWT's issuer ${iss === undefined ? "(missing `iss`)" : JSON.stringify(iss)} is not the expected ` +
        `${JSON.stringify(issuer)} (the \`issuer\` option): Convex would answer "No auth provider found matching ` +
        "the given token\". Make the issuer's `iss` claim and the provider's `issuer` in convex/auth.config.ts " +
        "the same URL (scheme and case count, a trailing slash does not), and pass that URL as `issuer`.",
      token,
    );
  }
  // `aud` is a string or an array of strings.
  if (applicationID !== undefined && !audiences(aud).includes(applicationID)) {
    throw new InvalidTokenError(
      "ERR_TOKEN_AUDIENCE_MISMATCH",
      `The JWT's audience ${aud === undefined ? "(missing `aud`)" : JSON.stringify(aud)} lacks the expected ` +
        `${JSON.stringify(applicationID)} (the \`applicationID\` option): Convex would answer "No auth provider ` +
        "found matching the given token\". Set the issuer's `aud` claim to the provider's `applicationID` in " +
        "convex/auth.config.ts, and pass that value as `applicationID`.",
      token,
    );
  }
  return {
    exp: exp! * 1000,
    iat: Number.isFinite(iat) ? iat! * 1000 : undefined,
    nbf: Number.isFinite(nbf) ? nbf! * 1000 : undefined,
    sub,
    iss: typeof iss === "string" ? iss : undefined,
    payload,
  };
}
