/**
 * Warnings: problems that do not stop the token from being used. They are logged and emitted on the
 * `warning` event, each code once per manager (`WARN_CLOCK_SKEW` on every change of the estimate). Their
 * codes are a vocabulary of their own (`WARN_…`), apart from the errors' `ERR_…` codes: an error stops a
 * token or a call, a warning does not.
 *
 * @module
 */

/** Codes of the warnings emitted on the `warning` event (the token is still used). */
export type TokenWarningCode =
  | "WARN_TOKEN_MISSING_IAT"
  | "WARN_TOKEN_IAT_IN_FUTURE"
  | "WARN_CLOCK_SKEW"
  | "WARN_CLOCK_SKEW_BEYOND_BOUND"
  | "WARN_TOKEN_NOT_RENEWED";

/** A warning to tell the app: its code and what happened and what to do. */
export type Warning = [code: TokenWarningCode, message: string];

/** `WARN_TOKEN_MISSING_IAT`: the JWT has no `iat`. */
export function missingIat(): Warning {
  return ["WARN_TOKEN_MISSING_IAT", "The JWT has no `iat`, which Convex's client needs to plan its refresh: set it."];
}

/** `WARN_TOKEN_IAT_IN_FUTURE`: `iat` is `aheadMs` ahead of this clock. */
export function iatInFuture(aheadMs: number): Warning {
  return [
    "WARN_TOKEN_IAT_IN_FUTURE",
    `The JWT's \`iat\` is ${Math.round(aheadMs / 1000)} s ahead of this clock; Convex rejects over 5 s: sync ` +
      `the clocks (NTP).`,
  ];
}

/** `WARN_CLOCK_SKEW_BEYOND_BOUND`: the offset `where` describes is beyond `maxClockSkewMs`. */
export function skewBeyondBound(where: string): Warning {
  return [
    "WARN_CLOCK_SKEW_BEYOND_BOUND",
    `Clocks apart ${where}: lifetimes are measured from receipt. Sync the clocks, or raise \`maxClockSkewMs\`.`,
  ];
}

/** `WARN_CLOCK_SKEW`: the estimate of this clock's offset from the issuer's changed to `skewMs`. */
export function clockSkew(skewMs: number): Warning {
  return ["WARN_CLOCK_SKEW", `This clock is ${Math.round(skewMs / 1000)} s ahead of the issuer's: corrected.`];
}

/** `WARN_TOKEN_NOT_RENEWED`: a forced refresh got the held token back. */
export function notRenewed(): Warning {
  return [
    "WARN_TOKEN_NOT_RENEWED",
    'A forced refresh got the held token back: mint a new one when reason is "forced".',
  ];
}
