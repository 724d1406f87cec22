/**
 * The state machine's states and its pure helpers: each state carries only its own data, and `timerOf` says
 * what the one timer means in each (an exhaustive `switch`: a new state cannot compile without an answer).
 *
 * @module
 */
import type { Held } from "./accept";
import type { Timeline } from "./clock";
import { InvalidTokenError, TokenFetchError } from "./errors";
import type { FetchReason, TokenSnapshot, TokenStatus } from "./types";

export interface Fetching {
  readonly status: "fetching";
  /** The token held when the fetch started, while it has not expired. */
  readonly token: Held | undefined;
  readonly reason: FetchReason;
  readonly attempt: number;
  readonly controller: AbortController;
  readonly deadline: number;
}

export interface Retrying {
  readonly status: "retrying";
  readonly token: Held | undefined;
  readonly attempt: number;
  readonly error: unknown;
  /** `Infinity` while offline: the next try waits for `notify("online")`. */
  readonly retryAt: number;
  /** Callers without a servable token get the error at once (no storm, and no wait beyond the cap). */
  readonly failFast: boolean;
}

export type State =
  | { readonly status: "idle" | "signedOut" | "disposed"; readonly token?: undefined }
  | Fetching
  | { readonly status: "valid"; readonly token: Held }
  | Retrying;

/** The one timer's deadline in `state` (null: no timer). Exhaustive: a new state cannot go without one. */
export function timerOf(state: State): number | null {
  switch (state.status) {
    case "idle":
    case "signedOut":
    case "disposed":
      return null;
    case "fetching":
      return state.deadline; // the fetch timeout
    case "valid":
      return state.token.refreshAt; // the planned refresh
    case "retrying": {
      // The next try, or the held token's expiry if sooner (then it stops being held).
      const at = Math.min(state.retryAt, state.token?.expiresAt ?? Infinity);
      return at < Infinity ? at : null;
    }
  }
}
/** The public snapshot of `state`, its times shown on the wall clock. */
export function snapshotOf(
  state: State,
  time: Timeline,
  error: unknown,
  failures: number,
  clockSkewMs: number,
): TokenSnapshot {
  const held = state.token;
  const wall = (t: number | undefined) => (t === undefined || t === Infinity ? null : time.toWall(t));
  return Object.freeze({
    status: state.status as TokenStatus,
    hasToken: !!held,
    issuedAt: wall(held?.issuedAt),
    expiresAt: wall(held?.expiresAt),
    nextFetchAt: wall(
      state.status === "valid" ? held!.refreshAt : state.status === "retrying" ? state.retryAt : undefined,
    ),
    subject: held?.sub ?? null,
    issuer: held?.iss ?? null,
    error,
    failures,
    clockSkewMs,
  });
}

/** Whether `held` can be served at `now` to a caller asking for `minValidityMs` (default: its serving limit). */
export function usable(held: Held, now: number, minValidityMs: number | undefined): boolean {
  return minValidityMs === undefined
    ? now < held.serveUntil
    : held.expiresAt - now >= minValidityMs && now < held.expiresAt;
}

/** `held` if it has not expired at `now`. */
export function live(held: Held | undefined, now: number): Held | undefined {
  return held && now < held.expiresAt ? held : undefined;
}

/** What a caller without a valid token gets once the policy gives up. */
export function callerError(error: unknown, attempts: number): Error {
  return error instanceof InvalidTokenError ? error : new TokenFetchError(attempts, error);
}

/** `ERR_TOKEN_TOO_SHORT_LIVED`: the issuer's token has `leftMs` of validity, less than `neededMs`. */
export function tooShort(leftMs: number, neededMs: number, raw: string): InvalidTokenError {
  return new InvalidTokenError(
    "ERR_TOKEN_TOO_SHORT_LIVED",
    `The token is valid ${Math.round(leftMs / 1000)} s, under the ${Math.round(neededMs / 1000)} s needed ` +
      `(\`minValidityMs\`): mint longer-lived tokens or ask for less.`,
    raw,
  );
}
