/**
 * `tokenHandler`: the token endpoint on the Fetch API (`Request` → `Response`), answering in the way the
 * token manager (`httpTokenFetcher`) reads: 200 a token, 401 signed out, 503 try again later.
 *
 * @module
 */
import type { Issuer, MintOptions } from "./create-issuer";

/** Who is signed in: their id (the token's `sub`), with custom claims if any; `null` when nobody is. */
export type AuthenticateResult = string | { subject: string; claims?: MintOptions["claims"] } | null;

/** Options of {@link tokenHandler}. */
export interface TokenHandlerOptions {
  /**
   * Read the request's session (cookie, header…) and say who is signed in: the user's id, or
   * `{ subject, claims }`, or `null` when nobody is (answered 401: the manager signs out). A throw (the
   * session store is down) is answered 503 with `Retry-After`: the manager keeps the user signed in and retries.
   */
  authenticate: (request: Request) => AuthenticateResult | Promise<AuthenticateResult>;
  /** `Retry-After` of a 503, in seconds. @default 5 */
  retryAfterSec?: number;
  /**
   * Where a failure goes, with the status it was answered with (its text never reaches the response). A
   * throwing `onError` is ignored. @default console.error
   */
  onError?: (error: unknown, status: 500 | 503) => void;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store", ...headers },
  });

/** `authenticate` answered something that is neither a subject nor `null` (an app bug, answered 500). */
export class AuthenticateAnswerError extends TypeError {
  override name = "AuthenticateAnswerError";
  readonly code = "ERR_AUTHENTICATE_ANSWER";
}

/** The subject and claims out of `authenticate`'s answer, or a TypeError that says what to return. */
function readAnswer(answer: unknown): { subject: string; claims?: MintOptions["claims"] } {
  if (typeof answer === "string" && answer !== "") return { subject: answer };
  const subject = (answer as { subject?: unknown } | undefined)?.subject;
  if (typeof answer === "object" && answer !== null && typeof subject === "string" && subject !== "") {
    const { claims } = answer as { claims?: MintOptions["claims"] };
    return claims === undefined ? { subject } : { subject, claims };
  }
  throw new AuthenticateAnswerError(
    `tokenHandler: \`authenticate\` returned ${answer === "" ? '""' : typeof answer}: return the user's id (a ` +
      "non-empty string) or { subject, claims }, or null when nobody is signed in. Answered 500.",
  );
}

/**
 * A token endpoint for `issuer`. It asks `authenticate(request)` who is signed in, then answers:
 * - a subject → 200 `{ "token": "<jwt>", "expiresAt": <epoch ms> }` with `Cache-Control: no-store`;
 * - `null` → 401 `{ "error": "signed_out" }`, which the token manager reads as signed out;
 * - a throw → 503 `{ "error": "unavailable" }` with `Retry-After`, which the manager retries;
 * - a bad answer, or a token that could not be minted → 500 `{ "error": "internal" }` (retried too).
 *
 * The response never carries an error's text: failures go to `onError`. GET and POST; others get 405.
 * Protect it as you protect your session (a `SameSite` cookie, or a CSRF header on POST).
 *
 * @example
 * // app/api/convex-token/route.ts (Next.js)
 * import { tokenHandler } from "convex-custom-jwt/issuer";
 * import { issuer } from "@/lib/issuer";
 * import { getSession } from "@/lib/session";
 *
 * export const GET = tokenHandler(issuer, {
 *   authenticate: async (request) => (await getSession(request))?.userId ?? null,
 * });
 */
export function tokenHandler(
  issuer: Pick<Issuer, "mint">,
  options: TokenHandlerOptions,
): (request: Request) => Promise<Response> {
  if (typeof issuer?.mint !== "function") {
    throw new TypeError("tokenHandler: `issuer` must be the issuer returned by createIssuer (await it first).");
  }
  if (typeof options?.authenticate !== "function") {
    throw new TypeError("tokenHandler: `authenticate` must be a function (request) => user id | null.");
  }
  const retryAfterSec = options.retryAfterSec ?? 5;
  if (!Number.isInteger(retryAfterSec) || retryAfterSec < 0) {
    throw new TypeError(`tokenHandler: \`retryAfterSec\` must be a whole number of seconds, got ${retryAfterSec}.`);
  }
  const onError =
    options.onError ??
    ((error: unknown, status: number) =>
      console.error(
        `convex-custom-jwt tokenHandler answered ${status}${status === 503 ? " (authenticate threw)" : ""}:`,
        error,
      ));
  const report = (error: unknown, status: 500 | 503) => {
    try {
      onError(error, status);
    } catch {
      // The app's error hook must not change the answer.
    }
  };

  return async (request) => {
    if (request.method !== "GET" && request.method !== "POST") {
      return new Response(null, { status: 405, headers: { Allow: "GET, POST" } });
    }
    let answer: unknown;
    try {
      answer = await options.authenticate(request);
    } catch (error) {
      report(error, 503);
      return json(503, { error: "unavailable" }, { "Retry-After": String(retryAfterSec) });
    }
    if (answer === null) return json(401, { error: "signed_out" });
    try {
      const { subject, claims } = readAnswer(answer);
      const { token, expiresAt } = await issuer.mint(subject, claims === undefined ? {} : { claims });
      return json(200, { token, expiresAt });
    } catch (error) {
      report(error, 500);
      return json(500, { error: "internal" });
    }
  };
}
