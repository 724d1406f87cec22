/**
 * `diagnoseToken`'s last steps: the temporal checks with the backend's 5 s leeway (step 5), the claims a
 * customJwt identity requires (step 6), and what Convex's client needs to schedule refreshes.
 *
 * @internal
 * @module
 */
import { BACKEND_MESSAGES } from "./backend-messages";
import {
  CLIENT_REFRESH_LEEWAY_SECONDS,
  LEEWAY_SECONDS,
  identityExpired,
  missingIdentityClaims,
  present,
  temporalFailures,
  type Claims,
} from "./backend-rules";
import type { Report } from "./report";

/** Step 5: `exp`, `nbf`, `iat` with the 5 s leeway; each is reported, not only the first. */
export function checkTimes(claims: Claims, nowMs: number, r: Report): void {
  const nowSec = Math.floor(nowMs / 1000);
  const failures = temporalFailures(claims, nowMs);
  const failed = (claim: "exp" | "nbf" | "iat") => failures.find((f) => f.claim === claim);
  const { exp, nbf, iat } = claims as { exp?: number; nbf?: number; iat?: number };

  const expFailure = failed("exp");
  if (expFailure) {
    r.fail(
      "TOKEN_EXPIRED",
      `exp ${exp} is ${nowSec - exp!} s in the past (the backend allows ${LEEWAY_SECONDS} s).`,
      expFailure.message,
    );
  } else if (present(exp) && identityExpired(exp!, nowMs)) {
    r.warn(
      "TOKEN_EXPIRES_IN_LEEWAY",
      `exp ${exp} is ${nowSec - exp!} s in the past, within the ${LEEWAY_SECONDS} s leeway.`,
      BACKEND_MESSAGES.expired,
    );
  } else {
    r.pass("exp", present(exp) ? `Expires in ${exp! - nowSec} s.` : "No `exp` (see the claims check).");
  }

  const nbfFailure = failed("nbf");
  if (nbfFailure) r.fail("TOKEN_NOT_YET_VALID", `nbf ${nbf} is ${nbf! - nowSec} s in the future.`, nbfFailure.message);
  else r.pass("nbf", present(nbf) ? `nbf ${nbf} is not in the future (beyond ${LEEWAY_SECONDS} s).` : "No `nbf`.");

  const iatFailure = failed("iat");
  if (iatFailure) r.fail("IAT_IN_FUTURE", `iat ${iat} is ${iat! - nowSec} s in the future.`, iatFailure.message);
  else {
    r.pass(
      "iat",
      present(iat)
        ? `iat ${iat} is not in the future (beyond ${LEEWAY_SECONDS} s).`
        : "No `iat` (see the refresh check).",
    );
  }
}

/** Step 6 (`from_custom_jwt` needs `sub` and `exp`) and the client's needs (`iat`, a lifetime over its leeway). */
export function checkClaims(claims: Claims, r: Report): void {
  const missing = missingIdentityClaims(claims);
  for (const claim of missing) {
    r.fail(
      claim === "sub" ? "SUB_MISSING" : "EXP_MISSING",
      `The token has no \`${claim}\`.`,
      BACKEND_MESSAGES.badClaims,
    );
  }
  if (missing.length === 0) r.pass("claims", `sub ${JSON.stringify(claims.sub)}, iss and exp present.`);

  const { iat, exp } = claims as { iat?: number; exp?: number };
  if (!present(iat)) {
    r.warn(
      "IAT_MISSING",
      'No `iat`: Convex\'s client cannot schedule a refresh ("Auth token does not have required fields").',
    );
  } else if (present(exp) && exp! - iat! <= CLIENT_REFRESH_LEEWAY_SECONDS) {
    r.warn(
      "LIFETIME_TOO_SHORT",
      `Lifetime exp − iat = ${exp! - iat!} s, not more than Convex's ${CLIENT_REFRESH_LEEWAY_SECONDS} s refresh ` +
        "leeway.",
    );
  } else {
    r.pass("refresh", present(exp) ? `Lifetime ${exp! - iat!} s.` : "`iat` present.");
  }
}
