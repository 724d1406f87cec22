/**
 * `diagnoseToken`: run the Convex backend's customJwt checks on a token, in the backend's order, and say
 * for each what was found, the backend's own error text and the fix.
 *
 * @module
 */
import {
  BACKEND_MESSAGES,
  CLIENT_REFRESH_LEEWAY_SECONDS,
  LEEWAY_SECONDS,
  SIGNATURE_ALGS,
  parseHeader,
  parsePayload,
  present,
  signatureFailureMessage,
  temporalFailure,
  type Claims,
} from "./backend-rules";
import type { CustomJwtProvider } from "./custom-jwt-provider";
import { algorithmPitfall } from "./algorithm-pitfall";
import { checkConfig, checkProvider, type ProvidersInput } from "./check-routing";
import type { Finding } from "./findings";
import { loadJwks } from "./load-jwks";
import { Report } from "./report";
import { verifySignature } from "./verify-signature";

export type { ProvidersInput };

/** Options of {@link diagnoseToken}. */
export interface DiagnoseTokenOptions {
  /** `fetch` used for the JWKS. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** The JWKS itself (object or JSON text) instead of fetching the provider's URL: for offline checks. */
  jwks?: unknown;
  /** The backend's "now", epoch milliseconds. @default Date.now() */
  now?: number;
  /** Timeout of the JWKS request, in milliseconds. @default 10000 */
  timeoutMs?: number;
}

/** What {@link diagnoseToken} found. */
export interface Diagnosis {
  /** No check failed (warnings allowed): the backend accepts this token. */
  ok: boolean;
  /** One finding per check, in the backend's order. */
  findings: Finding[];
  /** The provider the backend routes this token to, if any. */
  provider?: CustomJwtProvider;
  /** What the backend answers for this token: the first failure's code and exact text (absent when `ok`). */
  backendError?: { code: "InvalidAuthHeader" | "NoAuthProvider"; message: string };
}

/** Steps 2–3: JWKS, kid, alg, signature against `provider`. */
async function checkSignature(
  token: string,
  provider: CustomJwtProvider | undefined,
  opts: DiagnoseTokenOptions,
  r: Report,
) {
  const skipAll = (why: string) => {
    for (const check of ["jwks", "kid", "alg", "signature"] as const) r.skip(check, why);
  };
  if (!provider) return skipAll("no provider to check the signature against.");
  if (typeof provider.jwks !== "string") return skipAll("the provider has no jwks URL.");
  const loaded = await loadJwks(provider.jwks, opts);
  if (!loaded.ok) {
    r.fail("jwks", loaded.code, loaded.message, loaded.backendMessage);
    for (const check of ["kid", "alg", "signature"] as const) r.skip(check, "the JWKS could not be loaded.");
    return;
  }
  if (loaded.maxAgeSec !== undefined && loaded.maxAgeSec > 86_400) {
    r.warn("jwks", "JWKS_CACHE_LONG", `${loaded.detail}: Convex keeps it ${loaded.maxAgeSec} s.`);
  } else {
    r.pass("jwks", `${loaded.detail}.`);
  }

  const backend = signatureFailureMessage(token);
  const header = parseHeader(token);
  const skipRest = () => {
    for (const check of ["alg", "signature"] as const) r.skip(check, "an earlier signature check failed.");
  };
  const realIssuerPitfall = algorithmPitfall(header?.alg);
  if (realIssuerPitfall) {
    r.fail("kid", realIssuerPitfall.code, realIssuerPitfall.message, backend);
    return skipRest();
  }
  if (!header || typeof header.alg !== "string" || !SIGNATURE_ALGS.has(header.alg)) {
    r.fail(
      "kid",
      "HEADER_MALFORMED",
      `The JWT header is not a JSON object with a known \`alg\` (alg: ${JSON.stringify(header?.alg ?? null)}).`,
      backend,
    );
    return skipRest();
  }
  const kids = loaded.keys.map((k) => k.kid);
  if (typeof header.kid !== "string") {
    r.fail("kid", "KID_MISSING", `The JWT header has no \`kid\`; the JWKS has ${JSON.stringify(kids)}.`, backend);
    return skipRest();
  }
  const jwk = loaded.keys.find((k) => k.kid === header.kid);
  if (!jwk) {
    r.fail(
      "kid",
      "KID_UNKNOWN",
      `kid ${JSON.stringify(header.kid)} is not in the JWKS (${JSON.stringify(kids)}).`,
      backend,
    );
    return skipRest();
  }
  r.pass("kid", `kid ${JSON.stringify(header.kid)} is in the JWKS.`);

  if (present(jwk.alg) && jwk.alg !== header.alg) {
    r.fail(
      "alg",
      "JWK_ALG_MISMATCH",
      `The header's alg is ${header.alg}, the JWK's alg is ${String(jwk.alg)}.`,
      backend,
    );
    r.skip("signature", "an earlier signature check failed.");
    return;
  }
  if (header.alg !== provider.algorithm) {
    r.fail(
      "alg",
      "ALG_MISMATCH",
      `The token is signed with ${header.alg}, the provider expects ${String(provider.algorithm)}.`,
      backend,
    );
    r.skip("signature", "an earlier signature check failed.");
    return;
  }
  r.pass("alg", `${header.alg}, as configured.`);

  const verified = await verifySignature(token, jwk, provider.algorithm);
  if (verified.ok) r.pass("signature", `Verified with kid ${JSON.stringify(header.kid)}.`);
  else r.fail("signature", "SIGNATURE_INVALID", `The signature does not verify: ${verified.reason}.`, backend);
}

/** Step 5: `exp`, `nbf`, `iat` with the 5 s leeway. */
function checkTimes(claims: Claims, nowMs: number, r: Report) {
  const nowSec = Math.floor(nowMs / 1000);
  const t = temporalFailure(claims, nowMs);
  const exp = claims.exp as number | undefined;
  if (t?.claim === "exp") {
    r.fail(
      "exp",
      "TOKEN_EXPIRED",
      `exp ${exp} is ${nowSec - exp!} s in the past (the backend allows ${LEEWAY_SECONDS} s).`,
      t.message,
    );
  } else if (present(exp) && exp! <= nowSec) {
    r.warn(
      "exp",
      "TOKEN_EXPIRES_IN_LEEWAY",
      `exp ${exp} is ${nowSec - exp!} s in the past, within the ${LEEWAY_SECONDS} s leeway.`,
      BACKEND_MESSAGES.expired,
    );
  } else {
    r.pass("exp", present(exp) ? `Expires in ${exp! - nowSec} s.` : "No `exp` (see the claims check).");
  }
  const nbf = claims.nbf as number | undefined;
  if (present(nbf) && nbf! - nowSec > LEEWAY_SECONDS) {
    const message = temporalFailure({ nbf }, nowMs)!.message;
    r.fail("nbf", "TOKEN_NOT_YET_VALID", `nbf ${nbf} is ${nbf! - nowSec} s in the future.`, message);
  } else {
    r.pass("nbf", present(nbf) ? `nbf ${nbf} is not in the future (beyond ${LEEWAY_SECONDS} s).` : "No `nbf`.");
  }
  const iat = claims.iat as number | undefined;
  if (present(iat) && iat! - nowSec > LEEWAY_SECONDS) {
    const message = temporalFailure({ iat }, nowMs)!.message;
    r.fail("iat", "IAT_IN_FUTURE", `iat ${iat} is ${iat! - nowSec} s in the future.`, message);
  } else {
    r.pass(
      "iat",
      present(iat)
        ? `iat ${iat} is not in the future (beyond ${LEEWAY_SECONDS} s).`
        : "No `iat` (see the refresh check).",
    );
  }
}

/** Step 6 (`from_custom_jwt` needs sub and exp) and the client's needs (iat, lifetime). */
function checkClaims(claims: Claims, r: Report) {
  const missing = (["sub", "exp"] as const).filter((k) => !present(claims[k]));
  for (const k of missing) {
    r.fail(
      "claims",
      k === "sub" ? "SUB_MISSING" : "EXP_MISSING",
      `The token has no \`${k}\`.`,
      BACKEND_MESSAGES.badClaims,
    );
  }
  if (missing.length === 0) r.pass("claims", `sub ${JSON.stringify(claims.sub)}, iss and exp present.`);

  const { iat, exp } = claims as { iat?: number; exp?: number };
  if (!present(iat)) {
    r.warn(
      "refresh",
      "IAT_MISSING",
      'No `iat`: Convex\'s client cannot schedule a refresh ("Auth token does not have required fields").',
    );
  } else if (present(exp) && exp! - iat! <= CLIENT_REFRESH_LEEWAY_SECONDS) {
    r.warn(
      "refresh",
      "LIFETIME_TOO_SHORT",
      `Lifetime exp − iat = ${exp! - iat!} s, not more than Convex's ${CLIENT_REFRESH_LEEWAY_SECONDS} s refresh ` +
        `leeway.`,
    );
  } else {
    r.pass("refresh", present(exp) ? `Lifetime ${exp! - iat!} s.` : "`iat` present.");
  }
}

/**
 * Run the Convex backend's checks for `customJwt` providers on `token`, in the backend's order: provider
 * routing by `iss`/`aud`, JWKS fetch and content type, `kid`, `alg`, signature, `exp`/`nbf`/`iat` with the
 * 5 s leeway, required `sub`/`iss`/`exp`; plus the `iat` and lifetime Convex's client needs to refresh.
 * Checks keep running after a failure where they can, so one run shows every problem; `backendError`
 * is what the backend would answer (the first failure). Findings never contain the token.
 *
 * @param token - the JWT (whitespace around it is ignored).
 * @param providers - the `providers` array of `convex/auth.config`, or the whole config object.
 * @example
 * import { diagnoseToken } from "convex-custom-jwt/server";
 *
 * const providers = [{ type: "customJwt", issuer: "https://auth.example.com", applicationID: "convex",
 *   jwks: "https://auth.example.com/.well-known/jwks.json", algorithm: "RS256" }] as const;
 * const diagnosis = await diagnoseToken("eyJhbGciOi…", [...providers]);
 * for (const f of diagnosis.findings) if (f.status === "fail") console.log(f.code, f.backendMessage, f.fix);
 */
export async function diagnoseToken(
  token: string,
  providers: ProvidersInput,
  options: DiagnoseTokenOptions = {},
): Promise<Diagnosis> {
  if (typeof token !== "string") throw new TypeError("diagnoseToken: `token` must be a string (the JWT).");
  if (!Array.isArray(providers) && (typeof providers !== "object" || providers === null)) {
    throw new TypeError(
      "diagnoseToken: `providers` must be the providers array of convex/auth.config, or the config object.",
    );
  }
  const jwt = token.trim();
  const r = new Report();
  const list = checkConfig(providers, r);
  const claims = parsePayload(jwt);
  let provider: CustomJwtProvider | undefined;
  if (!claims) {
    r.fail(
      "format",
      "TOKEN_MALFORMED",
      "The payload is not a JSON object with correctly typed registered claims.",
      BACKEND_MESSAGES.unparseable,
    );
    for (const c of [
      "provider",
      "jwks",
      "kid",
      "alg",
      "signature",
      "exp",
      "nbf",
      "iat",
      "claims",
      "refresh",
    ] as const) {
      r.skip(c, "the payload could not be parsed.");
    }
  } else {
    r.pass("format", `${jwt.split(".").length} parts; payload claims: ${Object.keys(claims).join(", ")}.`);
    if (list.length === 0) r.skip("provider", "no providers.");
    const routed = list.length > 0 ? checkProvider(claims, list, r) : { candidate: undefined };
    provider = "matched" in routed ? routed.matched : undefined;
    await checkSignature(jwt, routed.candidate, options, r);
    checkTimes(claims, options.now ?? Date.now(), r);
    checkClaims(claims, r);
  }
  const firstFail = r.findings.find((f) => f.status === "fail" && f.check !== "config");
  const configFail = r.findings.find((f) => f.status === "fail" && f.code === "NO_PROVIDERS");
  const failed = firstFail ?? configFail;
  const routing =
    failed && ((failed.check === "provider" && failed.code !== "ISS_MISSING") || failed.code === "NO_PROVIDERS");
  return {
    ok: !r.findings.some((f) => f.status === "fail"),
    findings: r.findings,
    ...(provider ? { provider } : {}),
    ...(failed?.backendMessage !== undefined
      ? { backendError: { code: routing ? "NoAuthProvider" : "InvalidAuthHeader", message: failed.backendMessage } }
      : {}),
  };
}
