/**
 * `createServerToken`: the signed-in user's Convex token on the server, once per request, checked before it
 * reaches a page.
 *
 * @module
 */
import * as React from "react";
import { describe } from "../core/errors";
import { acceptInitialToken } from "../core/initial-token";
import type { ExpectedClaims } from "../core/jwt";

/**
 * What the app's own function returns: the user's JWT, `null` when the request has no session, or
 * `undefined` when it cannot tell (the browser's manager will fetch).
 */
export type ServerTokenResult = string | null | undefined;

/** Options of {@link createServerToken}. Every duration is in milliseconds. */
export interface ServerTokenOptions extends ExpectedClaims {
  /**
   * The validity a token must keep once it reaches the browser, as the browser's manager asks (its
   * `minValidityMs`; scaled down to 10% of the token's lifetime). @default 10_000
   */
  minValidityMs?: number;
  /**
   * How long the page may take to reach the browser and hydrate: a token must still be servable that much
   * later, or it is dropped here rather than by the browser's manager. @default 5_000
   */
  pageLoadMs?: number;
  /**
   * Where a dropped token is reported (never with the whole token); `false` to stay silent.
   * @default console.warn
   */
  onWarning?: ((message: string) => void) | false;
  /** The clock, in epoch ms. @default Date.now */
  now?: () => number;
}

/** Reads the user's token for the current request; see {@link createServerToken}. */
export type ServerToken = () => Promise<ServerTokenResult>;

/**
 * Wrap the app's own function that gets the signed-in user's Convex JWT on the server (from the request's
 * cookies or headers, the session store, your auth service) into the getter your layouts and pages call.
 *
 * - **Once per request.** Layouts, pages and server components share one call per request (React's
 *   `cache`, whose memory is the request's own: never shared between users).
 * - **Rendered per request.** It calls `connection()` (`next/server`) first, so a page that reads the token
 *   is never prerendered or put in a shared cache: inside `"use cache"` or `unstable_cache` it throws.
 * - **Checked as the browser's manager will check it.** A token that is malformed, expired, not yet valid,
 *   for another `issuer` or `applicationID`, or too close to expiry to be served once the page has loaded
 *   is dropped with a warning naming the claim to fix, and the getter answers `undefined`: the page renders
 *   loading (not signed out), and the browser's manager fetches a token. A throwing function is reported
 *   the same way.
 *
 * The result: a string (the user's token), `null` (no session: render signed out; the browser's manager
 * starts signed out and fetches nothing), or `undefined` (unknown: render loading; the browser fetches).
 * Hand it to `preloadQuery`/`fetchQuery` with {@link withConvexToken} and to the client provider as its
 * `initialToken`.
 *
 * @example
 * // lib/convex-token.ts (server only)
 * import { cookies } from "next/headers";
 * import { createServerToken } from "convex-custom-jwt/nextjs";
 *
 * export const getConvexToken = createServerToken(
 *   async () => {
 *     const session = (await cookies()).get("session")?.value;
 *     return session ? await mintConvexToken(session) : null; // your function
 *   },
 *   { issuer: "https://auth.example.com", applicationID: "convex" },
 * );
 */
export function createServerToken(
  getToken: () => ServerTokenResult | Promise<ServerTokenResult>,
  options: ServerTokenOptions = {},
): ServerToken {
  if (typeof getToken !== "function") {
    throw new TypeError(
      "createServerToken: `getToken` must be the app's function that returns the request's token (string), or " +
        "null without a session.",
    );
  }
  const o = checked(options);
  const warn = o.onWarning === false ? () => {} : (o.onWarning ?? ((message: string) => console.warn(message)));
  const read = async (): Promise<ServerTokenResult> => {
    const { connection } = await import("next/server");
    await connection();
    let token: ServerTokenResult;
    try {
      token = await getToken();
    } catch (error) {
      warn(
        `[convex-custom-jwt] createServerToken: the app's getToken threw (${describe(error)}). The page ` +
          "renders loading and the browser's manager fetches a token: fix getToken.",
      );
      return undefined;
    }
    if (token === null || token === undefined) return token;
    try {
      acceptInitialToken(token, o.now() + o.pageLoadMs, o, 0);
      return token.trim();
    } catch (error) {
      const code = (error as { code?: string }).code ?? "ERR_TOKEN_MALFORMED";
      warn(
        `[convex-custom-jwt] createServerToken dropped the request's token (${code}): ${describe(error)} The ` +
          "page renders loading and the browser's manager fetches a token.",
      );
      return undefined;
    }
  };
  // React's `cache` memoizes per request in server components; elsewhere (React 18) it is absent.
  const cache = (React as { cache?: <F extends () => unknown>(fn: F) => F }).cache;
  return typeof cache === "function" ? cache(read) : read;
}

/** `options` with the defaults filled in; a bad one throws a `TypeError` naming it. */
function checked(options: ServerTokenOptions) {
  const fail = (name: string, what: string, value: unknown): never => {
    throw new TypeError(`createServerToken: \`${name}\` must be ${what}; got ${String(value)}.`);
  };
  const { minValidityMs = 10_000, pageLoadMs = 5_000, now = Date.now, onWarning, issuer, applicationID } = options;
  if (!(typeof minValidityMs === "number" && minValidityMs >= 0)) fail("minValidityMs", "a number >= 0", minValidityMs);
  if (!(typeof pageLoadMs === "number" && pageLoadMs >= 0)) fail("pageLoadMs", "a number >= 0", pageLoadMs);
  if (typeof now !== "function") fail("now", "a function returning epoch ms", now);
  if (onWarning !== undefined && onWarning !== false && typeof onWarning !== "function") {
    fail("onWarning", "a function (message) => void, or false", onWarning);
  }
  for (const [name, value] of [
    ["issuer", issuer],
    ["applicationID", applicationID],
  ] as const) {
    if (value !== undefined && (typeof value !== "string" || !value)) fail(name, "a non-empty string", value);
  }
  // The manager's defaults for what only shapes its refresh plan (the acceptance reads them).
  return {
    ...options,
    minValidityMs,
    pageLoadMs,
    now,
    refreshLeewayMs: 60_000,
    refreshJitterMs: 30_000,
    maxClockSkewMs: 3_600_000,
  };
}
