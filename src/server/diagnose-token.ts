/**
 * `diagnoseToken`: run the Convex backend's customJwt checks on a token, in the backend's order, and say
 * for each what was found, the backend's own error text and the fix.
 *
 * @module
 */
import { BACKEND_MESSAGES } from "./backend-messages";
import { parsePayload } from "./backend-rules";
import { checkClaims, checkTimes } from "./check-claims";
import { checkConfig, checkProvider, type ProvidersInput } from "./check-routing";
import { checkSignature } from "./check-signature";
import type { CustomJwtProvider } from "./custom-jwt-provider";
import type { Finding } from "./finding";
import type { CheckName } from "./findings";
import { Report } from "./report";

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
  if (typeof token !== "string") {
    throw new TypeError(`diagnoseToken: \`token\` must be a string (the JWT), got ${typeof token}.`);
  }
  if (!Array.isArray(providers) && (typeof providers !== "object" || providers === null)) {
    throw new TypeError(
      "diagnoseToken: `providers` must be the providers array of convex/auth.config.ts, or the config object " +
        `itself, got ${providers === null ? "null" : typeof providers}.`,
    );
  }
  checkOptions(options);
  const jwt = token.trim();
  const r = new Report();
  const list = checkConfig(providers, r);
  const claims = parsePayload(jwt);
  let provider: CustomJwtProvider | undefined;
  if (!claims) {
    r.fail(
      "TOKEN_MALFORMED",
      "The payload is not a JSON object with correctly typed registered claims.",
      BACKEND_MESSAGES.unparseable,
    );
    for (const check of AFTER_FORMAT) r.skip(check, "The payload could not be parsed (see the format check).");
  } else {
    r.pass("format", `${jwt.split(".").length} parts; payload claims: ${Object.keys(claims).join(", ")}.`);
    if (list.length === 0) r.skip("provider", "No providers to route the token to (see the config check).");
    const routed = list.length > 0 ? checkProvider(claims, list, r) : { candidate: undefined };
    provider = "matched" in routed ? routed.matched : undefined;
    await checkSignature(jwt, routed.candidate, options, r);
    checkTimes(claims, options.now ?? Date.now(), r);
    checkClaims(claims, r);
  }
  return {
    ok: !r.findings.some((f) => f.status === "fail"),
    findings: r.findings,
    ...(provider ? { provider } : {}),
    ...backendAnswer(r.findings),
  };
}

/** A `TypeError` naming the option, for options that would otherwise fail later and less clearly. */
function checkOptions({ fetch, now, timeoutMs }: DiagnoseTokenOptions): void {
  if (fetch !== undefined && typeof fetch !== "function") {
    throw new TypeError(`diagnoseToken: \`fetch\` must be a fetch function, got ${typeof fetch}.`);
  }
  if (now !== undefined && !Number.isFinite(now)) {
    throw new TypeError(
      `diagnoseToken: \`now\` must be epoch milliseconds (a finite number, e.g. Date.now()), got ${String(now)}.`,
    );
  }
  if (timeoutMs !== undefined && !(timeoutMs > 0)) {
    throw new TypeError(`diagnoseToken: \`timeoutMs\` must be a positive number of milliseconds, got ${timeoutMs}.`);
  }
}

/** The checks that read the payload, in order: skipped when it cannot be parsed. */
const AFTER_FORMAT: readonly CheckName[] = [
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
];

/**
 * What the backend answers: the first failure after the config (a config failure only when no provider is
 * loaded at all), as `NoAuthProvider` when routing failed and `InvalidAuthHeader` otherwise.
 */
function backendAnswer(findings: Finding[]): Pick<Diagnosis, "backendError"> {
  const firstFail = findings.find((f) => f.status === "fail" && f.check !== "config");
  const failed = firstFail ?? findings.find((f) => f.status === "fail" && f.code === "NO_PROVIDERS");
  if (failed?.backendMessage === undefined) return {};
  const routing = (failed.check === "provider" && failed.code !== "ISS_MISSING") || failed.code === "NO_PROVIDERS";
  return { backendError: { code: routing ? "NoAuthProvider" : "InvalidAuthHeader", message: failed.backendMessage } };
}
