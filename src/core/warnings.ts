/**
 * Warnings: problems that do not stop the token from being used. They are logged and emitted on the
 * `warning` event, each code once per manager (`WARN_CLOCK_SKEW` on every change of the estimate). Their
 * codes are a vocabulary of their own (`WARN_…`), apart from the errors' `ERR_…` codes: an error stops a
 * token or a call, a warning does not. Each message says what happened, what to do, and who must do it.
 *
 * @module
 */
import { InvalidTokenError, describe, seconds, tokenHint } from "./errors";

/** Codes of the warnings emitted on the `warning` event (the token is still used). */
export type TokenWarningCode =
  | "WARN_TOKEN_MISSING_IAT"
  | "WARN_TOKEN_IAT_IN_FUTURE"
  | "WARN_CLOCK_SKEW"
  | "WARN_CLOCK_SKEW_BEYOND_BOUND"
  | "WARN_TOKEN_NOT_RENEWED"
  | "WARN_INITIAL_TOKEN_DROPPED";

/** A warning to tell the app: its code and what happened and what to do. */
export type Warning = [code: TokenWarningCode, message: string];

/** This clock's offset from the issuer's in words: `"42 s ahead of the issuer's"`, `"2 s behind the issuer's"`. */
export function clockOffset(skewMs: number): string {
  return `${seconds(Math.abs(skewMs))} ${skewMs < 0 ? "behind" : "ahead of"} the issuer's`;
}

/** `WARN_TOKEN_MISSING_IAT`: the JWT has no `iat`. */
export function missingIat(): Warning {
  return [
    "WARN_TOKEN_MISSING_IAT",
    "The JWT has no `iat` claim, which Convex's client needs to plan its refresh: make the issuer set it " +
      "(epoch seconds). The token is used meanwhile, its refresh planned from when it arrived.",
  ];
}

/** `WARN_TOKEN_IAT_IN_FUTURE`: `iat` is `aheadMs` ahead of this clock (and the skew is not corrected). */
export function iatInFuture(aheadMs: number): Warning {
  return [
    "WARN_TOKEN_IAT_IN_FUTURE",
    `The JWT's \`iat\` is ${seconds(aheadMs)} ahead of this clock, and Convex rejects a token issued more than ` +
      "5 s in its future: the issuer's clock runs ahead, or this device's runs behind. Sync both (NTP).",
  ];
}

/** `WARN_CLOCK_SKEW_BEYOND_BOUND`: this clock is `skewMs` off the issuer's, beyond `maxClockSkewMs`. */
export function skewBeyondBound(skewMs: number, maxClockSkewMs: number): Warning {
  return [
    "WARN_CLOCK_SKEW_BEYOND_BOUND",
    `Clocks apart: this clock is ${clockOffset(skewMs)} (estimated from the tokens' \`iat\`), beyond ` +
      `\`maxClockSkewMs\` (${maxClockSkewMs} ms): no correction is trusted, and each token's lifetime is measured ` +
      "from its receipt. " +
      "Sync this device's clock and the issuer's (NTP), or raise `maxClockSkewMs` if such offsets are expected.",
  ];
}

/** `WARN_CLOCK_SKEW`: the estimate of this clock's offset from the issuer's changed to `skewMs` (not 0). */
export function clockSkew(skewMs: number): Warning {
  return [
    "WARN_CLOCK_SKEW",
    `This clock is ${clockOffset(skewMs)} (estimated from the tokens' \`iat\`): token times are corrected for ` +
      "it. Nothing breaks; to end the correction, sync this device's clock and the issuer's (NTP).",
  ];
}

/** `WARN_TOKEN_NOT_RENEWED`: a forced refresh got the held token (`raw`) back. */
export function notRenewed(raw: string): Warning {
  return [
    "WARN_TOKEN_NOT_RENEWED",
    `A forced refresh got the held token (${tokenHint(raw)}) back: the token endpoint (or the app's ` +
      '`fetchToken`) serves a cached token. Make it mint a new token when `reason` is "forced". Meanwhile the ' +
      "held token is kept, and asked for again one backoff step later.",
  ];
}

/**
 * `WARN_INITIAL_TOKEN_DROPPED`: the server's token (`initialToken`, `hydrate()`) could not be used; `error` says
 * why (what `acceptInitialToken` threw). The manager fetches its own instead.
 */
export function initialTokenDropped(error: unknown): Warning {
  const code = error instanceof InvalidTokenError ? ` (${error.code})` : "";
  return [
    "WARN_INITIAL_TOKEN_DROPPED",
    `The server's \`initialToken\` was dropped${code}: ${describe(error)} The manager fetches its own token on ` +
      "first use. The app's server must hand over only a token that can still be served (in Next.js, " +
      "`createServerToken` of convex-custom-jwt/nextjs checks it the same way), or null when there is no session.",
  ];
}
