/**
 * Error classes with a stable `code`, and {@link AnyTokenManagerError}, their union, which narrows on `code`.
 * Match on `err.code` (or `instanceof`), never on the message: messages say what to do and may improve
 * between versions.
 *
 * No error built here ever carries a whole token, only a short suffix (see {@link tokenHint}).
 *
 * @module
 */

/** Codes of {@link InvalidTokenError}: the token itself is unusable. */
export type InvalidTokenCode =
  | "ERR_TOKEN_MALFORMED"
  | "ERR_TOKEN_MISSING_EXP"
  | "ERR_TOKEN_EXP_NOT_SECONDS"
  | "ERR_TOKEN_MISSING_SUB"
  | "ERR_TOKEN_NOT_YET_VALID"
  | "ERR_TOKEN_EXPIRED"
  | "ERR_TOKEN_TOO_SHORT_LIVED"
  | "ERR_TOKEN_ISSUER_MISMATCH"
  | "ERR_TOKEN_AUDIENCE_MISMATCH";

/** Every code an error of this library can carry. */
export type TokenErrorCode =
  | InvalidTokenCode
  | "ERR_TOKEN_FETCH_FAILED"
  | "ERR_TOKEN_FETCH_TIMEOUT"
  | "ERR_TOKEN_ENDPOINT"
  | "ERR_TOKEN_MANAGER_DISPOSED";

/**
 * Base class: `name` is the class name, `code` is stable, `cause` is kept when given.
 *
 * @example
 * manager.on("error", ({ error }) => {
 *   if (error instanceof TokenManagerError) console.warn(error.code, error.message);
 * });
 */
export class TokenManagerError extends Error {
  // `declare` fields: assigned in the constructor, so no class-field definitions are emitted (smaller bundle).
  declare readonly code: TokenErrorCode;
  constructor(code: TokenErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * The fetcher kept failing: the retry policy gave up (`attempts` tries) while no valid token was at hand.
 * `cause` is the last failure. The manager keeps retrying in the background at the capped delay.
 *
 * @example
 * const token = await manager.getToken().catch((error) => {
 *   if (error instanceof TokenFetchError) showOfflineBanner(`no token after ${error.attempts} tries`);
 *   return null;
 * });
 */
export class TokenFetchError extends TokenManagerError {
  declare readonly code: "ERR_TOKEN_FETCH_FAILED";
  declare readonly attempts: number;
  constructor(attempts: number, cause: unknown) {
    super(
      "ERR_TOKEN_FETCH_FAILED",
      // The cause's own full stop is dropped: the library's fetchers end their messages with one.
      `Could not get a token after ${attempts} attempt${attempts === 1 ? "" : "s"}: ` +
        `${describe(cause).replace(/\.$/, "")}. Check the token endpoint and the app's \`fetchToken\`; the manager ` +
        "keeps retrying in the background (as `retry` sets).",
      { cause },
    );
    this.attempts = attempts;
  }
}

/**
 * One fetcher call took longer than `fetchTimeoutMs` and was aborted. Retryable.
 *
 * @example
 * manager.on("error", ({ error }) => {
 *   if (error instanceof TokenFetchTimeoutError) console.warn(`the token endpoint took over ${error.timeoutMs} ms`);
 * });
 */
export class TokenFetchTimeoutError extends TokenManagerError {
  declare readonly code: "ERR_TOKEN_FETCH_TIMEOUT";
  declare readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(
      "ERR_TOKEN_FETCH_TIMEOUT",
      `The app's \`fetchToken\` did not settle within ${timeoutMs} ms (\`fetchTimeoutMs\`), so it was aborted (a ` +
        "retryable failure). If the token endpoint is slow, raise `fetchTimeoutMs`; in `fetchToken`, pass " +
        "`signal` to `fetch` so that the aborted request stops.",
    );
    this.timeoutMs = timeoutMs;
  }
}

/**
 * An HTTP token endpoint answered with an error status (thrown by `httpTokenFetcher`, and usable by custom
 * fetchers). `retryable` tells the default retry policy whether to try again; `retryAfterMs` comes from a
 * `Retry-After` header.
 *
 * @example
 * // In a custom fetcher: 5xx is retried (not before its Retry-After), other statuses are not.
 * if (!response.ok) {
 *   const retryAfterMs = Number(response.headers.get("retry-after") ?? 0) * 1000;
 *   throw new TokenEndpointError(response.status, `token endpoint answered ${response.status}`, {
 *     retryable: response.status >= 500,
 *     retryAfterMs,
 *   });
 * }
 */
export class TokenEndpointError extends TokenManagerError {
  declare readonly code: "ERR_TOKEN_ENDPOINT";
  declare readonly status: number;
  declare readonly retryable: boolean;
  declare readonly retryAfterMs: number | undefined;
  constructor(
    status: number,
    message: string,
    options: { retryable: boolean; retryAfterMs?: number; cause?: unknown },
  ) {
    super("ERR_TOKEN_ENDPOINT", message, { cause: options.cause });
    this.status = status;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * The fetcher returned a token this library (or Convex) cannot use. The message names the claim and what
 * to change in the issuer. Not retried by default: the same issuer would mint the same mistake.
 *
 * @example
 * manager.on("error", ({ error }) => {
 *   if (error instanceof InvalidTokenError) reportIssuerBug(error.code, error.message, error.tokenHint);
 * });
 */
export class InvalidTokenError extends TokenManagerError {
  declare readonly code: InvalidTokenCode;
  /** `…` plus the last 6 characters of the token, to tell tokens apart in logs. */
  declare readonly tokenHint: string;
  constructor(code: InvalidTokenCode, message: string, token: string) {
    super(code, message);
    this.tokenHint = tokenHint(token);
  }
}

/**
 * A method was called on a manager after `dispose()`, or the manager was disposed while the call waited.
 *
 * @example
 * manager.dispose();
 * await manager.getToken().catch((error) => error instanceof TokenManagerDisposedError); // true
 */
export class TokenManagerDisposedError extends TokenManagerError {
  declare readonly code: "ERR_TOKEN_MANAGER_DISPOSED";
  constructor() {
    super(
      "ERR_TOKEN_MANAGER_DISPOSED",
      "This token manager was disposed (`dispose()` was called) and does nothing any more: the app must create " +
        "a new one with createTokenManager() and use that.",
    );
  }
}

/**
 * Every error this library throws or rejects with, as a union that narrows on `code` (as jose's
 * `AnyJOSEError` does): in `switch (error.code)`, each branch knows the class and its fields.
 *
 * @example
 * try {
 *   await manager.getToken();
 * } catch (error) {
 *   if (!isTokenManagerError(error)) throw error; // e.g. your `signal`'s reason
 *   switch (error.code) {
 *     case "ERR_TOKEN_FETCH_FAILED":
 *       showRetryBanner(error.attempts); // a TokenFetchError
 *       break;
 *     case "ERR_TOKEN_ISSUER_MISMATCH":
 *       reportConfigBug(error.tokenHint); // an InvalidTokenError
 *       break;
 *   }
 * }
 */
export type AnyTokenManagerError =
  | TokenFetchError
  | TokenFetchTimeoutError
  | TokenEndpointError
  | InvalidTokenError
  | TokenManagerDisposedError;

/**
 * Whether `error` is one of this library's errors, typed as {@link AnyTokenManagerError} so that a `switch`
 * on its `code` narrows. (The library only throws the subclasses; a bare `TokenManagerError` you built
 * yourself passes too.)
 *
 * @example
 * manager.on("error", ({ error }) => {
 *   if (isTokenManagerError(error) && error.code === "ERR_TOKEN_ENDPOINT") console.warn(error.status);
 * });
 */
export function isTokenManagerError(error: unknown): error is AnyTokenManagerError {
  return error instanceof TokenManagerError;
}

/** A short, safe way to name a token in messages, logs and the CLI: `…` + its last 6 characters. */
export function tokenHint(token: string): string {
  return `…${token.slice(-6)}`;
}

/** A duration for messages: whole seconds, with a tenth below 10 s (`"0.3 s"`, `"42 s"`). */
export function seconds(ms: number): string {
  return `${Math.abs(ms) < 10_000 ? Math.round(ms / 100) / 10 : Math.round(ms / 1000)} s`;
}

/**
 * A one-line description of any thrown value, for messages and log lines. Never throws (a hostile value's
 * `toString` or `message` getter may), and never shows a whole JWT or a URL's query string or userinfo.
 */
export function describe(error: unknown): string {
  let text: string;
  try {
    text = `${error instanceof Error ? error.message || error.name : error}`;
  } catch {
    text = "(unprintable)";
  }
  return redact(text);
}

/**
 * `text` with secrets masked: a JWT becomes its {@link tokenHint}, and a URL keeps its origin and path but
 * loses its userinfo and query string (`https://a:b@x/t?id_token=…` → `https://x/t?…`); any `?key=value` run
 * is masked, with or without a URL around it.
 */
export function redact(text: string): string {
  return text
    .replace(/[\w-]{10,}\.[\w-]{10,}\.[\w-]*/g, tokenHint)
    .replace(/\/\/[^\s/?#@]*@/g, "//")
    .replace(/\?[^\s#"'`]+/g, "?…");
}

/**
 * The abort reason a fetch in flight gets at sign-out (seen by the app's `fetchToken` as `signal.reason`):
 * `reason` is why the manager signed out.
 */
export function signedOutReason(reason: "signOut" | "fetcher"): Error {
  const why = reason === "signOut" ? "signOut() was called" : "the fetcher resolved null";
  return new Error(`Signed out (${why}): this fetch was aborted, and its result is dropped.`);
}
