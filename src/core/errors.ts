/**
 * Error classes with a stable `code`. Match on `err.code` (or `instanceof`), never on the message:
 * messages say what to do and may improve between versions.
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

/** Codes of the warnings emitted on the `warning` event (the token is still used). */
export type TokenWarningCode =
  | "ERR_TOKEN_MISSING_IAT"
  | "ERR_TOKEN_IAT_IN_FUTURE"
  | "ERR_CLOCK_SKEW"
  | "ERR_CLOCK_SKEW_BEYOND_BOUND"
  | "ERR_TOKEN_NOT_RENEWED"
  | "ERR_INITIAL_TOKEN_DROPPED";

/** Base class: `name` is the class name, `code` is stable, `cause` is kept when given. */
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
 */
export class TokenFetchError extends TokenManagerError {
  declare readonly attempts: number;
  constructor(attempts: number, cause: unknown) {
    super(
      "ERR_TOKEN_FETCH_FAILED",
      `Could not get a token after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${describe(cause)}. Check the ` +
        `token endpoint; retries go on.`,
      { cause },
    );
    this.attempts = attempts;
  }
}

/** One fetcher call took longer than `fetchTimeoutMs` and was aborted. Retryable. */
export class TokenFetchTimeoutError extends TokenManagerError {
  declare readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(
      "ERR_TOKEN_FETCH_TIMEOUT",
      `The fetcher was aborted after ${timeoutMs} ms: raise \`fetchTimeoutMs\`, and pass \`signal\` to fetch.`,
    );
    this.timeoutMs = timeoutMs;
  }
}

/**
 * An HTTP token endpoint answered with an error status (thrown by `httpTokenFetcher`, and usable by custom
 * fetchers). `retryable` tells the default retry policy whether to try again; `retryAfterMs` comes from a
 * `Retry-After` header.
 */
export class TokenEndpointError extends TokenManagerError {
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
 */
export class InvalidTokenError extends TokenManagerError {
  declare readonly code: InvalidTokenCode;
  /** The last 6 characters of the token, to tell tokens apart in logs. */
  declare readonly tokenHint: string;
  constructor(code: InvalidTokenCode, message: string, token: string) {
    super(code, message);
    this.tokenHint = tokenHint(token);
  }
}

/** A method was called on a manager after `dispose()`. */
export class TokenManagerDisposedError extends TokenManagerError {
  constructor() {
    super("ERR_TOKEN_MANAGER_DISPOSED", "Token manager disposed: create a new one with createTokenManager().");
  }
}

/** A short, safe way to name a token in messages: `…` + its last 6 characters. */
export function tokenHint(token: string): string {
  return `…${token.slice(-6)}`;
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
 * loses its userinfo and query string (`https://a:b@x/t?id_token=…` → `https://x/t?…`).
 */
export function redact(text: string): string {
  return text
    .replace(/[\w-]{10,}\.[\w-]{10,}\.[\w-]*/g, tokenHint)
    .replace(/\/\/[^\s/?#@]*@/g, "//")
    .replace(/(\/[^\s?#]*)\?[^\s#]+/g, "$1?…");
}
