/**
 * `isKnownSignedOutError`: the errors with which common auth SDKs say "nobody is signed in any more", as
 * opposed to a network or server failure that will pass.
 *
 * @module
 */

/** Auth0 SPA SDK `error` codes that need the user to sign in again (`GenericError.error`). */
const AUTH0_ERRORS: ReadonlySet<string> = new Set([
  "login_required",
  "consent_required",
  "interaction_required",
  "missing_refresh_token",
  "invalid_grant",
]);

/** Firebase Auth `code`s that end the user's session (the SDK signs the user out on them too). */
const FIREBASE_CODES: ReadonlySet<string> = new Set([
  "auth/user-token-expired",
  "auth/user-disabled",
  "auth/user-not-found",
  "auth/invalid-user-token",
]);

/** Supabase Auth error `code`s that mean the session is gone (`AuthApiError.code`). */
const SUPABASE_CODES: ReadonlySet<string> = new Set([
  "refresh_token_not_found",
  "refresh_token_already_used",
  "session_not_found",
  "session_expired",
  "user_not_found",
  "user_banned",
]);

/**
 * The default signed-out classifier of `sdkTokenFetcher`. True only for errors known to mean "sign in
 * again"; everything else (network errors, 5xx, timeouts, unknown errors) is false, so it is retried and
 * never signs anyone out by mistake:
 * - Auth0 (`@auth0/auth0-spa-js`): `error.error` is `login_required`, `consent_required`,
 *   `interaction_required`, `missing_refresh_token` or `invalid_grant`;
 * - Firebase: `error.code` is `auth/user-token-expired`, `auth/user-disabled`, `auth/user-not-found` or
 *   `auth/invalid-user-token` (not `auth/network-request-failed`);
 * - Supabase: `error.name` is `AuthSessionMissingError`, or `error.code` is `refresh_token_not_found`,
 *   `refresh_token_already_used`, `session_not_found`, `session_expired`, `user_not_found` or `user_banned`.
 *
 * Clerk's `getToken` resolves `null` when signed out (no error to classify); WorkOS AuthKit throws a
 * `LoginRequiredError` whose `name` is not set: match it with `instanceof` in your own classifier.
 * Never throws.
 *
 * @example
 * import { LoginRequiredError } from "@workos-inc/authkit-js";
 * sdkTokenFetcher({
 *   getToken: () => authkit.getAccessToken(),
 *   isSignedOut: (error) => error instanceof LoginRequiredError || isKnownSignedOutError(error),
 * });
 */
export function isKnownSignedOutError(error: unknown): boolean {
  try {
    if (typeof error !== "object" || error === null) return false;
    const { error: auth0, code, name } = error as { error?: unknown; code?: unknown; name?: unknown };
    if (typeof auth0 === "string" && AUTH0_ERRORS.has(auth0)) return true;
    if (typeof code === "string" && (FIREBASE_CODES.has(code) || SUPABASE_CODES.has(code))) return true;
    return name === "AuthSessionMissingError";
  } catch {
    return false; // a hostile getter: not a known sign-out
  }
}
