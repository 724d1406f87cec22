/**
 * The state machine's states and its pure helpers. Each state carries only its own data; `timerOf` says what
 * the one timer means in each, `demandReason` what a caller's demand starts, and `dueOnSignal` what an outside
 * signal brings forward (exhaustive `switch`es: a new state cannot compile without an answer).
 *
 * @module
 */
import { InvalidTokenError, TokenFetchError, seconds, tokenHint } from "./errors";
import type { FetchReason } from "./token-fetcher";

/** A token the manager holds. Times are on the manager's time line (ms). */
export interface Held {
  readonly raw: string;
  /** `exp` in ms on the issuer's clock (to tell a newer token from the same one returned again). */
  readonly exp: number;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly refreshAt: number;
  readonly serveUntil: number;
  readonly sub: string;
  readonly iss: string | null;
}

/** Not started yet: no token, no timer. `getToken()` or `start()` leaves it. */
export interface Idle {
  readonly status: "idle";
  readonly token?: undefined;
}

/** A fetcher call is in flight; this object is its identity (a late result for another one is dropped). */
export interface Fetching {
  readonly status: "fetching";
  /** The token held when the fetch started, while it has not expired. */
  readonly token: Held | undefined;
  readonly reason: FetchReason;
  readonly attempt: number;
  readonly controller: AbortController;
  /** When the fetch times out (`fetchTimeoutMs` after the fetcher was called); while `queued`, when it is called. */
  readonly deadline: number;
  /**
   * The fetcher is not called yet: its previous call, aborted (sign-out) but ignoring its signal, has not
   * settled. It is called when that one settles, or at `deadline` (that call's own deadline) at the latest.
   */
  readonly queued?: boolean;
}

/** A token is held; the timer fires at its planned refresh. */
export interface Valid {
  readonly status: "valid";
  readonly token: Held;
  /**
   * Every fetch from this state is `"forced"`: the issuer hands back its cached token unless forced (an SDK's
   * cache; see `IssuerHabits`).
   */
  readonly force?: boolean;
}

/** The last fetch failed; the timer fires at the next try (or at the held token's expiry, if sooner). */
export interface Retrying {
  readonly status: "retrying";
  /** The token held before, while it has not expired. */
  readonly token: Held | undefined;
  /** Attempts spent in this round (a failure while offline spends none). */
  readonly attempt: number;
  readonly error: unknown;
  /** `Infinity` while offline: the next try waits for `notify("online")`. */
  readonly retryAt: number;
  /**
   * The round of tries is over (attempts used up, not retryable, or offline): callers without a servable
   * token get the error at once (no storm). Otherwise they wait for the next try if it falls due within
   * `callerWaitMs` (see {@link failsFast}).
   */
  readonly roundOver: boolean;
}

/** Signed out (`signOut()`, or the fetcher resolved `null`): `getToken()` resolves `null` until `start()`. */
export interface SignedOut {
  readonly status: "signedOut";
  readonly token?: undefined;
}

/** Stopped for good by `dispose()`. */
export interface Disposed {
  readonly status: "disposed";
  readonly token?: undefined;
}

/** The one state the manager is in. */
export type State = Idle | Fetching | Valid | Retrying | SignedOut | Disposed;

/** The one timer's deadline in `state` (null: no timer). Exhaustive: a new state cannot go without one. */
export function timerOf(state: State): number | null {
  switch (state.status) {
    case "idle":
    case "signedOut":
    case "disposed":
      return null;
    case "fetching":
      return state.deadline; // the fetch timeout (queued: when the fetcher is called at the latest)
    case "valid":
      return state.token.refreshAt; // the planned refresh
    case "retrying": {
      // The next try, or the held token's expiry if sooner (then it stops being held).
      const at = Math.min(state.retryAt, state.token?.expiresAt ?? Infinity);
      return at < Infinity ? at : null;
    }
  }
}

/**
 * The fetch a caller's demand for a token starts in a state of `status` (`forced`: a newly minted token is
 * wanted), or null: it joins the fetch in flight, or waits for the planned try (no storm).
 */
export function demandReason(status: State["status"], forced: boolean | undefined): FetchReason | null {
  switch (status) {
    case "idle":
      return "initial";
    case "valid":
      return forced ? "forced" : "scheduled";
    case "fetching":
    case "retrying":
    case "signedOut":
    case "disposed":
      return null;
  }
}

/**
 * The attempt number of the fetch an outside `signal` starts in `state` at `now`, or null when none is due:
 * a token past its refresh point, a retry that fell due, or any planned retry when the network is back.
 */
export function dueOnSignal(state: State, signal: "focus" | "online" | "wake", now: number): number | null {
  switch (state.status) {
    case "valid":
      return now >= state.token.refreshAt ? 1 : null;
    case "retrying":
      return signal === "online" || now >= state.retryAt ? state.attempt + 1 : null;
    case "idle":
    case "fetching":
    case "signedOut":
    case "disposed":
      return null;
  }
}

/** Whether `held` can be served at `now` to a caller asking for `minValidityMs` (default: its serving limit). */
export function usable(held: Held, now: number, minValidityMs: number | undefined): boolean {
  return minValidityMs === undefined
    ? now < held.serveUntil
    : held.expiresAt - now >= minValidityMs && now < held.expiresAt;
}

/**
 * Whether a caller without a servable token gets the error of `state` at once at `now`, rather than wait for
 * the next try: the round is over, or the try falls due further away than `waitMs` (`callerWaitMs`).
 */
export function failsFast(state: Retrying, now: number, waitMs: number): boolean {
  return state.roundOver || state.retryAt - now > waitMs;
}

/** `held` if it has not expired at `now`. */
export function live(held: Held | undefined, now: number): Held | undefined {
  return held && now < held.expiresAt ? held : undefined;
}

/** What a caller without a valid token gets once the policy gives up. */
export function callerError(error: unknown, attempts: number): Error {
  return error instanceof InvalidTokenError ? error : new TokenFetchError(attempts, error);
}

/**
 * `ERR_TOKEN_TOO_SHORT_LIVED` for a caller: the issuer's token (`raw`, or its last new one when `raw` is empty)
 * is valid `validMs`, less than the `askedMs` asked with `getToken({ minValidityMs })`.
 */
export function tooShortForCaller(validMs: number, askedMs: number, raw: string): InvalidTokenError {
  return new InvalidTokenError(
    "ERR_TOKEN_TOO_SHORT_LIVED",
    `The issuer's token is valid ${seconds(validMs)}, less than the ${seconds(askedMs)} asked with ` +
      "`getToken({ minValidityMs })`: ask for less, or make the issuer mint longer-lived tokens.",
    raw,
  );
}

/**
 * `ERR_TOKEN_TOO_SHORT_LIVED` for a token (`raw`) that arrived with `leftMs` of validity, under the `marginMs`
 * a served token keeps: retried with backoff.
 */
export function arrivedTooShort(leftMs: number, marginMs: number, raw: string): InvalidTokenError {
  return new InvalidTokenError(
    "ERR_TOKEN_TOO_SHORT_LIVED",
    `The token (${tokenHint(raw)}) arrived valid for ${seconds(leftMs)}, less than the ${seconds(marginMs)} a ` +
      "served token must keep (`minValidityMs`, at most 10% of its lifetime): it is retried with backoff. Make " +
      "the issuer mint longer-lived tokens, or the token endpoint stop handing out tokens this close to `exp`.",
    raw,
  );
}
