/**
 * The manager's options: their documentation, defaults and validation (a bad option throws a `TypeError`
 * naming it).
 *
 * @module
 */
import type { Clock } from "./clock";
import { redact } from "./errors";
import type { ExpectedClaims } from "./jwt";
import { isRetryable, type RetryPolicy } from "./retry";
import type { Logger, TokenFetcher } from "./types";

/** Options of {@link createTokenManager}. Every duration is in milliseconds. */
export interface TokenManagerOptions extends ExpectedClaims {
  /** Gets a JWT from your auth service. See {@link TokenFetcher}. Required. */
  fetchToken: TokenFetcher;
  /**
   * Refresh this long before `exp`; scaled down to 20% of a token's lifetime for short-lived tokens.
   * @default 60_000
   */
  refreshLeewayMs?: number;
  /**
   * Width of the random window before the leeway point in which the refresh happens, so that many clients
   * holding tokens minted in the same second do not refresh in the same second. Scaled down to 10% of the
   * lifetime. @default 30_000
   */
  refreshJitterMs?: number;
  /**
   * A token is only served by `getToken()` while it stays valid at least this long; scaled down to 10% of
   * the lifetime. Per call, `getToken({ minValidityMs })` overrides it. @default 10_000
   */
  minValidityMs?: number;
  /** Abort a fetcher call that has not settled after this long (a retryable failure). @default 10_000 */
  fetchTimeoutMs?: number;
  /** Retry policy for failing fetches. See {@link RetryPolicy}. */
  retry?: RetryPolicy;
  /**
   * Bound on the clock offset (this clock against the issuer's) the manager corrects for, estimated from
   * `iat`. Offsets up to 5 s are ignored; beyond the bound no correction is trusted and each token's
   * lifetime is measured from its receipt (warning `WARN_CLOCK_SKEW_BEYOND_BOUND`).
   * @default 3_600_000 (1 hour)
   */
  maxClockSkewMs?: number;
  /** Time source; defaults to the platform clock looked up at call time (fake timers work). */
  clock?: Partial<Clock>;
  /** Where to write debug lines and warnings. Silent by default; a logger that throws is ignored. */
  logger?: Logger;
  /**
   * The token a server already holds for this user (server rendering: the token the page was rendered
   * with), so the manager starts from it instead of fetching. A token that passes the normal acceptance
   * and can still be served makes the manager start `valid`, with no fetch, its refresh planned as usual.
   * One that is malformed, expired, not yet valid, for another `issuer` or `applicationID`, or too close
   * to expiry to serve is dropped with warning `WARN_INITIAL_TOKEN_DROPPED` (through `logger`: no listener
   * exists yet) and the manager starts `idle`: its first use fetches. `null`: the server knows there is
   * no session; the manager starts `signedOut` and fetches nothing until `start()`. Leave it out when the
   * server cannot tell. It never appears in the snapshot. See {@link TokenManager.hydrate}.
   */
  initialToken?: string | null;
}

/** Options with every default filled in, `retry` flattened in. */
export type ResolvedOptions = TokenManagerOptions &
  Required<
    RetryPolicy &
      Pick<
        TokenManagerOptions,
        "refreshLeewayMs" | "refreshJitterMs" | "minValidityMs" | "fetchTimeoutMs" | "maxClockSkewMs"
      >
  >;

const DAY_MS = 86_400_000;

/**
 * Throw the `TypeError` for a bad option: `option` names it by its full path (`retry.attempts`, and where:
 * `createTokenManager`, or `getToken({ minValidityMs })`), `what` says what it must be, and its value is shown.
 */
export function mustBe(option: string, what: string, value: unknown): never {
  throw new TypeError(`${option} must be ${what}; got ${shown(value)}.`);
}

/** A value for a message: a number or a string as written (a URL's secrets masked), otherwise its type. */
function shown(value: unknown): string {
  if (typeof value === "string") return redact(JSON.stringify(value));
  if (typeof value === "object" && value !== null) return Array.isArray(value) ? "an array" : "an object";
  return typeof value === "function" ? "a function" : String(value);
}

/** Check `options` and fill in the defaults. */
export function validateOptions(options: TokenManagerOptions): ResolvedOptions {
  const option = (name: string) => `createTokenManager: \`${name}\``;
  if (typeof options?.fetchToken !== "function") {
    const what =
      "the app's token fetcher, a function ({ signal, reason, attempt }) => Promise<string | { token } | null>";
    mustBe(option("fetchToken"), what, options?.fetchToken);
  }
  const number = (name: string, value: unknown, fallback: number, min = 0, max = DAY_MS, integer?: boolean) => {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !(value >= min && value <= max) || (integer && !Number.isInteger(value))) {
      const from = name === "retry.maxDelayMs" ? `${min} (\`retry.baseDelayMs\`)` : min;
      mustBe(option(name), `${integer ? "an integer" : "a number of milliseconds"} from ${from} to ${max}`, value);
    }
    return value;
  };
  const retry = options.retry ?? {};
  const attempts = number("retry.attempts", retry.attempts ?? 4, 4, 1, 100, true);
  const baseDelayMs = number("retry.baseDelayMs", retry.baseDelayMs, 1_000);
  // At least `retry.baseDelayMs`.
  const maxDelayMs = number("retry.maxDelayMs", retry.maxDelayMs, Math.max(30_000, baseDelayMs), baseDelayMs);
  // [option, value, its typeof, what it must be]; a falsy value (null, "") is refused too.
  for (const [name, value, type, what] of [
    ["retry.shouldRetry", retry.shouldRetry, "function", "a function (error, attempt) => boolean"],
    ["clock", options.clock, "object", "a Clock object (any of now, monotonicNow, setTimeout, clearTimeout, random)"],
    ["issuer", options.issuer, "string", "a non-empty string, the provider's `issuer` in convex/auth.config.ts"],
    ["applicationID", options.applicationID, "string", "a non-empty string, the provider's `applicationID`"],
  ] as const) {
    if (value !== undefined && (typeof value !== type || !value)) mustBe(option(name), what, value);
  }
  const { initialToken } = options;
  if (initialToken !== undefined && initialToken !== null && typeof initialToken !== "string") {
    const what = "the server's token (a string), null when the server knows there is no session, or left out";
    mustBe(option("initialToken"), what, initialToken);
  }
  const resolved = {
    ...options,
    attempts,
    baseDelayMs,
    maxDelayMs,
    shouldRetry: retry.shouldRetry ?? isRetryable,
  } as ResolvedOptions;
  // [option, default, min, max]
  for (const [name, fallback, min, max] of [
    ["refreshLeewayMs", 60_000],
    ["refreshJitterMs", 30_000],
    ["minValidityMs", 10_000],
    ["fetchTimeoutMs", 10_000, 1],
    ["maxClockSkewMs", 3_600_000, 0, 7 * DAY_MS],
  ] as const) {
    resolved[name] = number(name, options[name], fallback, min, max);
  }
  return resolved;
}
