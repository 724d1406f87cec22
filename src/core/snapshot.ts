/**
 * The public picture of the manager: {@link TokenSnapshot}, its {@link TokenStatus} (derived from the state
 * union), and `snapshotOf`, which builds it from the state and the manager's named parts.
 *
 * @module
 */
import type { Timeline } from "./clock";
import type { State } from "./state";

/** The manager's lifecycle state: the `status` of each state of the machine. */
export type TokenStatus = State["status"];

/**
 * An immutable picture of the manager, the same object until something changes (fit for React's
 * `useSyncExternalStore`). It never contains the token itself: call `getToken()` for that.
 */
export interface TokenSnapshot {
  readonly status: TokenStatus;
  /** True while a token is held that has not expired (it may be being refreshed). */
  readonly hasToken: boolean;
  /** Local time (epoch ms) the held token was issued (its `iat`, skew-corrected, else its receipt time). */
  readonly issuedAt: number | null;
  /** Local time (epoch ms) the held token expires, skew-corrected; null without a token. */
  readonly expiresAt: number | null;
  /** Local time (epoch ms) of the next planned fetch (refresh or retry); null when none is planned. */
  readonly nextFetchAt: number | null;
  /** `sub` of the held token. */
  readonly subject: string | null;
  /** `iss` of the held token. */
  readonly issuer: string | null;
  /** The last fetch failure since the last success; null when the last fetch succeeded. */
  readonly error: unknown;
  /** Consecutive failed fetches (0 after a success). */
  readonly failures: number;
  /**
   * True once the last failure made callers without a valid token get the error at once (the `error`
   * event's `exhausted`: the retry policy's attempts are used up, the failure is not retryable, the next try
   * is too far off, or the network is offline), until the next token. The manager still tries again in the
   * background; while false and not signed out, it is still trying.
   */
  readonly exhausted: boolean;
  /** Estimated local clock offset against the issuer's, in ms (positive: local clock ahead). */
  readonly clockSkewMs: number;
}

/**
 * The failure record: consecutive failed fetches, the last failure, and whether it made callers fail fast;
 * all cleared by a success.
 */
export interface Failures {
  readonly count: number;
  readonly last: unknown;
  readonly exhausted: boolean;
}

/** No failure since the last success. */
export const NO_FAILURES: Failures = { count: 0, last: null, exhausted: false };

/** The public snapshot of `state`, its times shown on the wall clock. */
export function snapshotOf(state: State, time: Timeline, failures: Failures, clockSkewMs: number): TokenSnapshot {
  const held = state.token;
  const wall = (t: number | undefined) => (t === undefined || t === Infinity ? null : time.toWall(t));
  return Object.freeze({
    status: state.status,
    hasToken: !!held,
    issuedAt: wall(held?.issuedAt),
    expiresAt: wall(held?.expiresAt),
    nextFetchAt: wall(nextFetchOf(state)),
    subject: held?.sub ?? null,
    issuer: held?.iss ?? null,
    error: failures.last,
    failures: failures.count,
    exhausted: exhaustedIn(state, failures),
    clockSkewMs,
  });
}

/**
 * Whether callers without a valid token get the error at once in `state`: after a failure that made them, and
 * through the background tries that follow it (a fetch that `start()` begins is a new round).
 */
function exhaustedIn(state: State, failures: Failures): boolean {
  switch (state.status) {
    case "retrying":
      // As the error event said, set when the failure came (a caller asking once the next try is near waits).
      return failures.exhausted;
    case "fetching":
      return failures.exhausted && state.reason !== "initial";
    case "idle":
    case "valid":
    case "signedOut":
    case "disposed":
      return false;
  }
}

/** When the next fetch is planned in `state` (time line), if any. */
function nextFetchOf(state: State): number | undefined {
  switch (state.status) {
    case "valid":
      return state.token.refreshAt;
    case "retrying":
      return state.retryAt;
    case "idle":
    case "fetching":
    case "signedOut":
    case "disposed":
      return undefined;
  }
}
