/**
 * `sdkTokenFetcher`: a fetcher over an auth SDK that already caches and refreshes a token (Clerk's
 * `getToken`, Auth0's `getAccessTokenSilently`, Firebase's `getIdToken`, Supabase's session, WorkOS's
 * `getAccessToken`), without the two mistakes hand-written wrappers make: mapping every error to "signed
 * out", and never bypassing the SDK's cache when a new token is needed.
 *
 * @module
 */
import type { FetchContext, FetchReason, TokenFetcher } from "../core/types";
import { isKnownSignedOutError } from "./known-signed-out-error";

/** What {@link SdkTokenFetcherOptions.getToken} is asked. */
export interface SdkTokenRequest {
  /**
   * True when the SDK must skip its cache and mint a new token (Clerk `skipCache`, Auth0 `cacheMode: "off"`,
   * Firebase `getIdToken(true)`, Supabase `refreshSession()`). See {@link SdkTokenFetcherOptions.bypassCache}.
   */
  forceRefresh: boolean;
  /** Why the manager fetches. */
  reason: FetchReason;
  /** 1 for a first try, 2 for the first retry, and so on. */
  attempt: number;
  /** Aborted on sign-out, dispose and the manager's fetch timeout: pass it on if the SDK takes one. */
  signal: AbortSignal;
}

/** Options of {@link sdkTokenFetcher}. */
export interface SdkTokenFetcherOptions {
  /**
   * Ask the SDK for a token. Return the token, or `null`/`undefined` when the SDK says nobody is signed in.
   * Throw (or reject) on failure: the error goes through `isSignedOut`.
   */
  getToken: (request: SdkTokenRequest) => Promise<string | null | undefined> | string | null | undefined;
  /**
   * Tell the SDK's "this user is signed out" errors (the fetcher then resolves `null` and the manager signs
   * out) from every other failure (rethrown as it is: the manager retries with backoff and keeps the user
   * signed in). If it throws, the error counts as not a sign-out.
   * @default isKnownSignedOutError (Auth0, Firebase, Supabase codes; see its documentation)
   */
  isSignedOut?: (error: unknown) => boolean;
  /**
   * When to set `forceRefresh`. The default bypasses the SDK's cache only when the manager asks for a newly
   * minted token (`reason === "forced"`: Convex rejected the held one); on a scheduled refresh the SDK's
   * cache answers, and the manager learns when the SDK mints again (one fetch per rotation).
   * @default (context) => context.reason === "forced"
   */
  bypassCache?: (context: FetchContext) => boolean;
}

/**
 * A {@link TokenFetcher} over an SDK that holds the token.
 * - The manager's `reason` maps to the SDK's cache bypass (`forceRefresh`, see `bypassCache`).
 * - A token: the token. `null`, `undefined` or `""`: signed out (`null`).
 * - A throw: `null` only if `isSignedOut(error)` says so; otherwise the SDK's error is rethrown unchanged,
 *   so a network blip never signs the user out (the manager retries; `@convex-dev/workos` maps every error
 *   to `null`, which Convex turns into a sticky sign-out: convex-backend #523).
 *
 * @example
 * import { createTokenManager, sdkTokenFetcher } from "convex-custom-jwt";
 *
 * const tokens = createTokenManager({
 *   fetchToken: sdkTokenFetcher({
 *     getToken: ({ forceRefresh }) => auth.currentUser?.getIdToken(forceRefresh) ?? null, // Firebase
 *   }),
 * });
 */
export function sdkTokenFetcher(options: SdkTokenFetcherOptions): TokenFetcher {
  const getToken: unknown = typeof options === "object" && options !== null ? options.getToken : undefined;
  if (typeof getToken !== "function") {
    throw new TypeError(
      "sdkTokenFetcher: `getToken` is required: pass a function that asks the app's auth SDK for a token (e.g. " +
        `({ forceRefresh }) => user.getIdToken(forceRefresh)); got ${getToken === null ? "null" : typeof getToken}.`,
    );
  }
  for (const name of ["isSignedOut", "bypassCache"] as const) {
    const value: unknown = options[name];
    if (value !== undefined && typeof value !== "function") {
      throw new TypeError(
        `sdkTokenFetcher: \`${name}\` must be a function when given (${OPTIONAL[name]}), or left out for the ` +
          `default; got ${value === null ? "null" : typeof value}.`,
      );
    }
  }
  const isSignedOut = options.isSignedOut ?? isKnownSignedOutError;
  const bypassCache = options.bypassCache ?? forcedOnly;

  return async (context) => {
    const request: SdkTokenRequest = {
      forceRefresh: wantsBypass(bypassCache, context),
      reason: context.reason,
      attempt: context.attempt,
      signal: context.signal,
    };
    let token: string | null | undefined;
    try {
      token = await options.getToken(request);
    } catch (error) {
      if (!context.signal.aborted && signedOut(isSignedOut, error)) return null;
      throw error;
    }
    if (token === null || token === undefined || token === "") return null;
    return token;
  };
}

/** What each optional function decides, for the TypeError that names it. */
const OPTIONAL = {
  isSignedOut: "(error) => true when the SDK's error means that the user is signed out",
  bypassCache: "(context) => true when the SDK must skip its cache",
} as const;

function forcedOnly(context: FetchContext): boolean {
  return context.reason === "forced";
}

/** The app's `bypassCache`, guarded: if it throws, the default answers. */
function wantsBypass(bypassCache: (context: FetchContext) => boolean, context: FetchContext): boolean {
  try {
    return bypassCache(context) === true;
  } catch {
    return forcedOnly(context);
  }
}

/** The app's classifier, guarded: a classifier that throws never signs anyone out. */
function signedOut(isSignedOut: (error: unknown) => boolean, error: unknown): boolean {
  try {
    return isSignedOut(error) === true;
  } catch {
    return false;
  }
}
