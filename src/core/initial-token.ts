/**
 * The acceptance of a token a server already holds (the manager's `initialToken` and `hydrate()`, and the
 * server helpers of `convex-custom-jwt/nextjs`): the normal acceptance ({@link acceptToken}), plus "servable
 * now", with the clock-skew sample taken the cautious way. Pure.
 *
 * A fetched token is minted on request, so its age is network latency and `receivedAt − iat` measures this
 * clock's offset from the issuer's. A server's token may have waited (a page rendered seconds ago, a session
 * store's copy): its age is unknown. Age can make a clock look ahead, never behind, so only a sample that
 * shows this clock behind the issuer's is trusted (it makes the token older, never younger). A clock that
 * is really ahead then counts the token as older than it is: it is refreshed early, never served expired.
 *
 * @module
 */
import { acceptToken, type Accepted } from "./accept";
import { InvalidTokenError, seconds, tokenHint } from "./errors";
import { decodeClaims, decodeJwt } from "./jwt";
import type { ResolvedOptions } from "./options";

/** What the acceptance of a server's token reads of the manager's options (defaults filled in). */
export type InitialTokenOptions = Pick<
  ResolvedOptions,
  "issuer" | "applicationID" | "refreshLeewayMs" | "refreshJitterMs" | "minValidityMs" | "maxClockSkewMs"
>;

/**
 * Accept `token`, a token the server handed over, at `now` (the manager's time line, ms).
 *
 * @param random - a number in [0, 1) for the refresh jitter.
 * @returns the held token and its warnings, as {@link acceptToken}; `samples` holds the one trusted skew sample
 * (this clock behind the issuer's by more than the 5 s tolerance), else nothing.
 * @throws InvalidTokenError: what {@link acceptToken} throws (malformed, no `exp` or `sub`, another issuer or
 * audience, expired, not yet valid), and `ERR_TOKEN_TOO_SHORT_LIVED` when it has less validity left than the
 * manager keeps in reserve (`minValidityMs`, scaled to the lifetime): it could not be served.
 */
export function acceptInitialToken(token: unknown, now: number, o: InitialTokenOptions, random: number): Accepted {
  if (typeof token !== "string") throw notAServerJwt(token === null ? "null" : typeof token);
  const raw = token.trim();
  try {
    decodeJwt(raw);
  } catch (error) {
    throw notAServerJwt(`${tokenHint(raw)}: ${(error as Error).message}`, raw);
  }
  const { iat } = decodeClaims(raw, o);
  // No sample from the token itself (`firstSeen` says it was seen, now: its lifetime, beyond `maxClockSkewMs`,
  // counts from now): only a "behind" one is passed in.
  const behind = iat !== undefined && now - iat < 0 ? [now - iat] : [];
  const accepted = acceptToken(raw, now, behind, () => now, 0, o as ResolvedOptions, random);
  const { held } = accepted;
  if (now >= held.serveUntil) {
    throw new InvalidTokenError(
      "ERR_TOKEN_TOO_SHORT_LIVED",
      `The server's token (${tokenHint(raw)}) has ${seconds(Math.max(0, held.expiresAt - now))} left, under the ` +
        `${seconds(held.expiresAt - held.serveUntil)} the manager keeps in reserve (\`minValidityMs\`, at most 10% ` +
        "of the lifetime): the app's server must hand over a token minted for this page, not one about to expire.",
      raw,
    );
  }
  return { ...accepted, samples: behind };
}

/** `ERR_TOKEN_MALFORMED` for a server's token that is not a JWT: `what` it is instead (never the whole token). */
function notAServerJwt(what: string, token = ""): InvalidTokenError {
  return new InvalidTokenError(
    "ERR_TOKEN_MALFORMED",
    `The server's token is not a JWT (got ${what}): the app's server must hand over the token itself (a "Bearer " ` +
      "prefix, quotes or JSON around it are not a JWT), or null when the request has no session.",
    token,
  );
}
