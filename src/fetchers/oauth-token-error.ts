/**
 * `OAuthTokenError`: an OAuth 2.0 token endpoint's error answer (RFC 6749 §5.2), with what to do about it.
 *
 * @module
 */
import { redact, TokenEndpointError } from "../core/errors";

/**
 * An OAuth 2.0 token endpoint refused the request, or answered something Convex cannot use. Its `code` is
 * `"ERR_TOKEN_ENDPOINT"` (it is a {@link TokenEndpointError}); `oauthError` is the server's `error` field
 * (`"invalid_client"`, `"invalid_scope"`…; `"http_<status>"` when it sent none), or this library's own name
 * for a 2xx answer Convex cannot use (`"no_access_token"`, `"opaque_access_token"`,
 * `"access_token_without_exp"`). `retryable` is true only for 5xx, 429 and 408 answers. The message says what
 * the server answered, what to do and who must do it (the app, or the authorization server).
 *
 * @example
 * try {
 *   await manager.getToken();
 * } catch (error) {
 *   if (error instanceof TokenFetchError && error.cause instanceof OAuthTokenError) {
 *     console.error(error.cause.oauthError); // "invalid_client": fix the client id or secret
 *   }
 * }
 */
export class OAuthTokenError extends TokenEndpointError {
  /**
   * The server's `error` code (RFC 6749 §5.2), `"http_<status>"` when it sent none, or `"no_access_token"`,
   * `"opaque_access_token"`, `"access_token_without_exp"` for a 2xx answer Convex cannot use.
   */
  declare readonly oauthError: string;
  /** The server's `error_description`, with any token or URL secret masked; absent when it sent none. */
  declare readonly oauthErrorDescription: string | undefined;
  constructor(
    status: number,
    oauthError: string,
    message: string,
    options: { retryable: boolean; retryAfterMs?: number; description?: string },
  ) {
    super(status, message, options);
    this.oauthError = oauthError;
    this.oauthErrorDescription = options.description === undefined ? undefined : redact(options.description);
  }
}
