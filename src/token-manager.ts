/**
 * The token manager: one state machine that keeps a valid JWT at hand.
 *
 * States (a discriminated union, each carrying only its own data) and the single timer's role in each:
 *
 * | state       | holds a token?      | the one timer means          |
 * |-------------|---------------------|------------------------------|
 * | `idle`      | no                  | —                            |
 * | `fetching`  | maybe (the old one) | the fetch timeout            |
 * | `valid`     | yes                 | the planned refresh          |
 * | `retrying`  | maybe (still valid) | the next try, or the expiry of the held token if sooner |
 * | `signedOut` | no                  | —                            |
 * | `disposed`  | no                  | —                            |
 *
 * Every state change goes through `#transition`, which re-arms the timer for the new state, rebuilds the
 * snapshot and notifies. The transition table is in ARCHITECTURE.md.
 *
 * @module
 */
import { EventEmitter } from "eventemitter3";
import { DeadlineTimer, systemClock, type Clock } from "./clock";
import {
  InvalidTokenError,
  TokenFetchError,
  TokenFetchTimeoutError,
  TokenManagerDisposedError,
  describe,
  tokenHint,
  type TokenWarningCode,
} from "./errors";
import { decodeClaims, type ExpectedClaims } from "./jwt";
import { backoffDelay, isRetryable, retryAfterOf, type ResolvedRetryPolicy, type RetryPolicy } from "./retry";
import { estimateSkew, planRefresh, scaled, MIN_VALIDITY_FRACTION } from "./schedule";
import type { FetchReason, Logger, TokenFetcher, TokenSnapshot, TokenStatus } from "./types";

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
   * Bound on the clock-skew correction estimated from `iat`. Offsets up to 5 s are ignored.
   * @default 3_600_000 (1 hour)
   */
  maxClockSkewMs?: number;
  /** Time source; defaults to the platform clock looked up at call time (fake timers work). */
  clock?: Partial<Clock>;
  /** Where to write debug lines and warnings. Silent by default. */
  logger?: Logger;
}

/** Options of {@link TokenManager.getToken}. */
export interface GetTokenOptions {
  /** Fetch a newly minted token even if the held one is still valid (joins a fetch already in flight). */
  forceRefresh?: boolean;
  /** The returned token stays valid at least this long (ms). Default: the manager's `minValidityMs`. */
  minValidityMs?: number;
  /** Stop waiting (rejects with `signal.reason`); the shared fetch itself goes on for other callers. */
  signal?: AbortSignal;
}

/** Payload of the `token` event. Never the token itself: call `getToken()`. */
export interface TokenEvent {
  reason: FetchReason;
  /** Local expiry (epoch ms, skew-corrected). */
  expiresAt: number;
  /** When the next refresh is planned (epoch ms). */
  refreshAt: number;
  subject: string | null;
  issuer: string | null;
  /** `…` plus the token's last 6 characters. */
  tokenHint: string;
}

/** Payload of the `refreshing` event: a fetcher call starts. */
export interface RefreshingEvent {
  reason: FetchReason;
  attempt: number;
}

/** Payload of the `error` event: a fetcher call failed. */
export interface FetchErrorEvent {
  error: unknown;
  attempt: number;
  /** When the next try happens (epoch ms). The manager always tries again, at the capped delay at most. */
  retryAt: number;
  /** True once the policy's attempts are used up: callers without a valid token now get a `TokenFetchError`. */
  exhausted: boolean;
  /** Whether a still-valid token is being served meanwhile. */
  servingToken: boolean;
}

/** Payload of the `warning` event. */
export interface WarningEvent {
  code: TokenWarningCode;
  message: string;
}

/** Payload of the `signedOut` event. */
export interface SignedOutEvent {
  /** `"signOut"`: the app called `signOut()`; `"fetcher"`: the fetcher returned `null`. */
  reason: "signOut" | "fetcher";
}

/** Payload of the `discarded` event: a fetch result arrived after `signOut()`/`dispose()`/timeout and was dropped. */
export interface DiscardedEvent {
  outcome: "token" | "null" | "error";
}

/** Every event and its listener. */
export interface TokenManagerEvents {
  token: (event: TokenEvent) => void;
  refreshing: (event: RefreshingEvent) => void;
  error: (event: FetchErrorEvent) => void;
  warning: (event: WarningEvent) => void;
  signedOut: (event: SignedOutEvent) => void;
  discarded: (event: DiscardedEvent) => void;
  state: (snapshot: TokenSnapshot) => void;
}

interface Held {
  readonly raw: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly refreshAt: number;
  readonly serveUntil: number;
  readonly sub: string | null;
  readonly iss: string | null;
}

type State =
  | { readonly status: "idle"; readonly token?: undefined }
  | {
      readonly status: "fetching";
      readonly token: Held | undefined;
      readonly reason: FetchReason;
      readonly attempt: number;
      readonly id: number;
      readonly controller: AbortController;
      readonly deadline: number;
    }
  | { readonly status: "valid"; readonly token: Held }
  | {
      readonly status: "retrying";
      readonly token: Held | undefined;
      readonly attempt: number;
      readonly error: unknown;
      readonly retryAt: number;
      readonly exhausted: boolean;
    }
  | { readonly status: "signedOut"; readonly token?: undefined }
  | { readonly status: "disposed"; readonly token?: undefined };

interface Waiter {
  readonly minValidityMs: number | undefined;
  readonly resolve: (token: string | null) => void;
  readonly reject: (error: unknown) => void;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** The timer never sleeps longer than this, so a missed deadline (sleep, throttling) is seen within 5 s. */
const TIMER_CHUNK_MS = 5_000;
/** A timer this late means the machine slept or the tab was throttled: the fetch reason becomes "wake". */
const LATE_WAKE_MS = 5_000;
/** `receivedAt − iat` within this is network latency, not skew (Convex allows 5 s at Authenticate). */
const SKEW_TOLERANCE_MS = 5_000;
const SKEW_SAMPLES = 5;

/**
 * Keeps a valid JWT at hand: fetches it, refreshes it ahead of `exp` with jitter, deduplicates concurrent
 * requests, retries transient failures, and signs out cleanly. Create it with {@link createTokenManager}.
 */
export class TokenManager {
  readonly #fetcher: TokenFetcher;
  readonly #clock: Clock;
  readonly #timer: DeadlineTimer;
  readonly #events = new EventEmitter<TokenManagerEvents>();
  readonly #listeners = new Set<() => void>();
  readonly #waiters = new Set<Waiter>();
  readonly #retry: ResolvedRetryPolicy;
  readonly #expected: ExpectedClaims;
  readonly #leewayMs: number;
  readonly #jitterMs: number;
  readonly #minValidityMs: number;
  readonly #fetchTimeoutMs: number;
  readonly #maxSkewMs: number;
  readonly #logger: Logger;
  readonly #skewSamples: number[] = [];
  readonly #warned = new Set<TokenWarningCode>();
  #state: State = { status: "idle" };
  #snapshot: TokenSnapshot;
  #fetchSeq = 0;
  #failures = 0;
  #lastError: unknown = null;
  #skewMs = 0;

  /** Use {@link createTokenManager}. */
  constructor(options: TokenManagerOptions) {
    const o = validateOptions(options);
    this.#fetcher = o.fetchToken;
    this.#clock = { ...systemClock, ...o.clock };
    this.#timer = new DeadlineTimer(this.#clock, TIMER_CHUNK_MS);
    this.#retry = o.retryPolicy;
    this.#expected = { issuer: o.issuer, applicationID: o.applicationID };
    this.#leewayMs = o.refreshLeewayMs;
    this.#jitterMs = o.refreshJitterMs;
    this.#minValidityMs = o.minValidityMs;
    this.#fetchTimeoutMs = o.fetchTimeoutMs;
    this.#maxSkewMs = o.maxClockSkewMs;
    this.#logger = o.logger ?? {};
    this.#snapshot = this.#buildSnapshot();
  }

  /**
   * A token valid for at least `minValidityMs`, or `null` when signed out.
   *
   * The cached path is a clock read and a comparison. Otherwise every concurrent caller shares one fetch.
   * Rejects with a `TokenFetchError` once the retry policy gives up without a valid token, with an
   * `InvalidTokenError` when the issuer's token is unusable, or with `signal.reason` when aborted.
   *
   * @example
   * const token = await manager.getToken();                 // cached, or fetched once for everyone
   * const fresh = await manager.getToken({ forceRefresh: true });
   */
  async getToken(options?: GetTokenOptions): Promise<string | null> {
    const token = this.#state.token;
    if (options === undefined && token !== undefined && this.#clock.now() < token.refreshAt) return token.raw;
    return this.#getTokenSlow(options ?? {});
  }

  /**
   * The held token if it can be served now (as `getToken()` would without fetching), else `null`. Synchronous;
   * never starts a fetch.
   */
  peekToken(): string | null {
    const token = this.#state.token;
    return token !== undefined && this.#clock.now() < token.serveUntil ? token.raw : null;
  }

  /** Fetch a newly minted token now (single-flight: joins a fetch in flight). `null` when signed out. */
  refresh(): Promise<string | null> {
    return this.getToken({ forceRefresh: true });
  }

  /**
   * Leave `idle` or `signedOut`: fetch a token now and keep it fresh. No-op while already running.
   * (`getToken()` on an idle manager starts it too; after `signOut()` only `start()` does.)
   */
  start(): void {
    const { status } = this.#state;
    if (status === "disposed") throw new TokenManagerDisposedError();
    if (status === "idle" || status === "signedOut") this.#fetch("initial", 1);
  }

  /**
   * Sign out: drop the token, abort the fetch in flight (its late result is discarded), stop the timer, and
   * resolve pending `getToken()` calls with `null`. Until `start()`, `getToken()` resolves `null`.
   */
  signOut(): void {
    if (this.#state.status === "disposed" || this.#state.status === "signedOut") return;
    this.#enterTerminal({ status: "signedOut" }, null);
    this.#emit("signedOut", { reason: "signOut" });
  }

  /** Stop for good: abort the fetch in flight, clear the timer, reject pending calls, drop all listeners. */
  dispose(): void {
    if (this.#state.status === "disposed") return;
    this.#enterTerminal({ status: "disposed" }, new TokenManagerDisposedError());
    this.#events.removeAllListeners();
    this.#listeners.clear();
  }

  /** The current snapshot: the same object until something changes. */
  getSnapshot = (): TokenSnapshot => this.#snapshot;

  /** Be called after every change of the snapshot. Returns the unsubscribe function. */
  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  };

  /** Listen to an event. Listeners that throw are reported to the logger and do not break the manager. */
  on<E extends keyof TokenManagerEvents>(event: E, listener: TokenManagerEvents[E]): this {
    this.#events.on(event, listener as never);
    return this;
  }

  /** Listen to the next occurrence of an event only. */
  once<E extends keyof TokenManagerEvents>(event: E, listener: TokenManagerEvents[E]): this {
    this.#events.once(event, listener as never);
    return this;
  }

  /** Stop listening. */
  off<E extends keyof TokenManagerEvents>(event: E, listener: TokenManagerEvents[E]): this {
    this.#events.off(event, listener as never);
    return this;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Demand

  async #getTokenSlow(options: GetTokenOptions): Promise<string | null> {
    const { forceRefresh = false, minValidityMs, signal } = options;
    if (minValidityMs !== undefined && !(minValidityMs >= 0)) {
      throw new TypeError("getToken: `minValidityMs` must be a number >= 0 (milliseconds).");
    }
    const state = this.#state;
    if (state.status === "disposed") throw new TokenManagerDisposedError();
    signal?.throwIfAborted();
    if (state.status === "signedOut") return null;

    const now = this.#clock.now();
    const held = state.token;
    if (!forceRefresh && held !== undefined && this.#usable(held, now, minValidityMs)) {
      // Past its refresh point but the timer has not fired (throttled tab, blocked loop): refresh now.
      if (state.status === "valid" && now >= held.refreshAt) this.#fetch("scheduled", 1);
      return held.raw;
    }
    switch (state.status) {
      case "idle":
        this.#fetch("initial", 1);
        break;
      case "valid":
        this.#fetch(forceRefresh ? "forced" : "scheduled", 1);
        break;
      case "retrying":
        // Never bypass backoff on demand (no storms): wait for the planned retry, or fail fast once the
        // policy's attempts are used up.
        if (state.exhausted) throw this.#callerError(state.error, state.attempt);
        break;
      case "fetching":
        break;
    }
    return this.#wait(minValidityMs, signal);
  }

  #usable(held: Held, now: number, minValidityMs: number | undefined): boolean {
    return minValidityMs === undefined ? now < held.serveUntil : held.expiresAt - now >= minValidityMs;
  }

  #wait(minValidityMs: number | undefined, signal: AbortSignal | undefined): Promise<string | null> {
    return new Promise<string | null>((resolve, reject) => {
      const onAbort = () => {
        this.#waiters.delete(waiter);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        minValidityMs,
        resolve: (token) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(token);
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      this.#waiters.add(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  #settleWaiters(settle: (waiter: Waiter) => void): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of waiters) settle(waiter);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Fetching

  #fetch(reason: FetchReason, attempt: number): void {
    const previous = this.#state;
    if (previous.status === "fetching") return; // single-flight
    const now = this.#clock.now();
    const held = previous.token !== undefined && now < previous.token.expiresAt ? previous.token : undefined;
    const controller = new AbortController();
    const id = ++this.#fetchSeq;
    this.#transition({
      status: "fetching",
      token: held,
      reason,
      attempt,
      id,
      controller,
      deadline: now + this.#fetchTimeoutMs,
    });
    this.#emit("refreshing", { reason, attempt });
    this.#log("debug", `fetch #${id} (${reason}, attempt ${attempt})`);
    let pending: Promise<unknown>;
    try {
      pending = Promise.resolve(this.#fetcher({ signal: controller.signal, reason, attempt }));
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (result) => this.#onFetchSettled(id, result, undefined),
      (error: unknown) => this.#onFetchSettled(id, undefined, error ?? new Error("The fetcher rejected")),
    );
  }

  #current(id: number): Extract<State, { status: "fetching" }> | undefined {
    const state = this.#state;
    return state.status === "fetching" && state.id === id ? state : undefined;
  }

  #onFetchSettled(id: number, result: unknown, error: unknown): void {
    const state = this.#current(id);
    if (state === undefined) {
      // Overtaken by signOut(), dispose() or the timeout: drop it (invariant 3).
      this.#emit("discarded", { outcome: error !== undefined ? "error" : result === null ? "null" : "token" });
      return;
    }
    if (error !== undefined) return this.#onFetchFailed(state, error);
    if (result === null) {
      this.#enterTerminal({ status: "signedOut" }, null);
      this.#emit("signedOut", { reason: "fetcher" });
      return;
    }
    const raw = typeof result === "string" ? result : (result as { token?: unknown } | undefined)?.token;
    if (typeof raw !== "string") {
      const message =
        `The fetcher resolved ${result === undefined ? "undefined" : typeof result}; resolve the JWT string ` +
        "(or { token }), resolve null when the user is signed out, or throw on failure.";
      return this.#onFetchFailed(state, new InvalidTokenError("ERR_TOKEN_MALFORMED", message, ""));
    }
    let held: Held;
    try {
      held = this.#accept(raw);
    } catch (failure) {
      return this.#onFetchFailed(state, failure);
    }
    // A warning listener may have signed out meanwhile.
    if (this.#current(id) === undefined) return this.#emit("discarded", { outcome: "token" });
    this.#failures = 0;
    this.#lastError = null;
    this.#transition({ status: "valid", token: held });
    this.#log("debug", `token ${tokenHint(raw)} valid until ${new Date(held.expiresAt).toISOString()}`);
    this.#emit("token", {
      reason: state.reason,
      expiresAt: held.expiresAt,
      refreshAt: held.refreshAt,
      subject: held.sub,
      issuer: held.iss,
      tokenHint: tokenHint(raw),
    });
    const now = this.#clock.now();
    this.#settleWaiters((waiter) => {
      if (this.#usable(held, now, waiter.minValidityMs)) waiter.resolve(held.raw);
      else waiter.reject(this.#tooShortLived(held, now, waiter.minValidityMs));
    });
  }

  /** Decode, check, correct for skew and plan: a fetched token becomes a held one, or throws. */
  #accept(raw: string): Held {
    const claims = decodeClaims(raw, this.#expected);
    const receivedAt = this.#clock.now();
    if (claims.iat === undefined) {
      this.#warn(
        "ERR_TOKEN_MISSING_IAT",
        "The JWT has no `iat` claim. Convex's client needs `iat` to schedule its own refresh: configure the " +
          "issuer to set it. (This manager falls back to the receipt time.)",
      );
    } else {
      this.#skewSamples.push(receivedAt - claims.iat);
      if (this.#skewSamples.length > SKEW_SAMPLES) this.#skewSamples.shift();
      const skew = estimateSkew(this.#skewSamples, SKEW_TOLERANCE_MS, this.#maxSkewMs);
      if (claims.iat - receivedAt > SKEW_TOLERANCE_MS) {
        this.#warn(
          "ERR_TOKEN_IAT_IN_FUTURE",
          `The JWT's \`iat\` is ${Math.round((claims.iat - receivedAt) / 1000)} s ahead of this machine's clock. ` +
            "Either this clock is behind (corrected here) or the issuer's clock is ahead, which the Convex backend " +
            "rejects beyond 5 s (\"Token will be valid in N seconds\"): keep the issuer's clock in sync (NTP).",
        );
      }
      if (skew !== this.#skewMs) {
        this.#skewMs = skew;
        if (skew !== 0) {
          this.#warn(
            "ERR_CLOCK_SKEW",
            `This machine's clock is about ${Math.round(skew / 1000)} s ${skew > 0 ? "ahead of" : "behind"} the ` +
              "token issuer's; token times are corrected for it.",
          );
        }
      }
    }
    const skew = this.#skewMs;
    const expiresAt = claims.exp + skew;
    const issuedAt = claims.iat === undefined ? receivedAt : Math.min(receivedAt, claims.iat + skew);
    if (expiresAt <= receivedAt) {
      throw new InvalidTokenError(
        "ERR_TOKEN_EXPIRED",
        `The fetcher returned a token that expired ${Math.ceil((receivedAt - expiresAt) / 1000)} s ago ` +
          `(${tokenHint(raw)}). If the issuer caches tokens, make it mint a new one when the fetch reason is ` +
          '"forced"; check that the issuer sets `exp` in seconds, not milliseconds or minutes.',
        raw,
      );
    }
    const plan = planRefresh({ issuedAt, expiresAt }, this.#leewayMs, this.#jitterMs, this.#minValidityMs, this.#clock.random());
    return {
      raw,
      issuedAt,
      expiresAt,
      refreshAt: plan.refreshAt,
      serveUntil: plan.serveUntil,
      sub: claims.sub ?? null,
      iss: claims.iss ?? null,
    };
  }

  #onFetchFailed(state: Extract<State, { status: "fetching" }>, error: unknown): void {
    const { attempt } = state;
    let retryable: boolean;
    try {
      retryable = this.#retry.shouldRetry(error, attempt);
    } catch (hookError) {
      this.#log("error", `retry.shouldRetry threw: ${describe(hookError)}`);
      retryable = false;
    }
    const exhausted = !retryable || attempt >= this.#retry.attempts;
    const now = this.#clock.now();
    const delay = retryable
      ? backoffDelay(attempt, this.#retry, this.#clock.random(), retryAfterOf(error))
      : Math.max(this.#retry.maxDelayMs, retryAfterOf(error) ?? 0);
    const held = state.token !== undefined && now < state.token.expiresAt ? state.token : undefined;
    this.#failures += 1;
    this.#lastError = error;
    this.#transition({ status: "retrying", token: held, attempt, error, retryAt: now + delay, exhausted });
    this.#log("warn", `fetch attempt ${attempt} failed (${describe(error)}); next try in ${Math.round(delay)} ms`);
    this.#emit("error", { error, attempt, retryAt: now + delay, exhausted, servingToken: held !== undefined });
    if (exhausted) {
      const failure = this.#callerError(error, attempt);
      this.#settleWaiters((waiter) => waiter.reject(failure));
    }
  }

  /** What a caller without a valid token gets once the policy gives up. */
  #callerError(error: unknown, attempts: number): Error {
    return error instanceof InvalidTokenError ? error : new TokenFetchError(attempts, error);
  }

  #tooShortLived(held: Held, now: number, minValidityMs: number | undefined): InvalidTokenError {
    const wanted = minValidityMs ?? scaled(this.#minValidityMs, held.expiresAt - held.issuedAt, MIN_VALIDITY_FRACTION);
    return new InvalidTokenError(
      "ERR_TOKEN_TOO_SHORT_LIVED",
      `The new token is valid for ${Math.round((held.expiresAt - now) / 1000)} s, less than the ${Math.round(wanted / 1000)} s ` +
        "asked for (minValidityMs). Mint longer-lived tokens or ask for less validity.",
      held.raw,
    );
  }

  // ---------------------------------------------------------------------------------------------------------
  // The timer

  #onTimer = (lateByMs: number): void => {
    const state = this.#state;
    const late = lateByMs > LATE_WAKE_MS;
    if (late) this.#log("debug", `timer fired ${Math.round(lateByMs)} ms late (sleep or throttling)`);
    switch (state.status) {
      case "fetching": {
        const timeout = new TokenFetchTimeoutError(this.#fetchTimeoutMs);
        state.controller.abort(timeout);
        this.#onFetchFailed(state, timeout);
        return;
      }
      case "valid":
        this.#fetch(late ? "wake" : "scheduled", 1);
        return;
      case "retrying":
        if (state.token !== undefined && this.#clock.now() < state.retryAt) {
          // Fired for the held token's expiry, before the next try: stop serving it.
          this.#transition({ ...state, token: undefined });
          return;
        }
        this.#fetch(late ? "wake" : "retry", state.attempt + 1);
        return;
      default:
        return;
    }
  };

  // ---------------------------------------------------------------------------------------------------------
  // Transitions

  /** The only place the state changes: re-arm the one timer, rebuild the snapshot, notify. */
  #transition(next: State): void {
    this.#state = next;
    this.#timer.clear();
    switch (next.status) {
      case "fetching":
        this.#timer.set(next.deadline, this.#onTimer);
        break;
      case "valid":
        this.#timer.set(next.token.refreshAt, this.#onTimer);
        break;
      case "retrying":
        this.#timer.set(
          next.token === undefined ? next.retryAt : Math.min(next.retryAt, next.token.expiresAt),
          this.#onTimer,
        );
        break;
      case "idle":
      case "signedOut":
      case "disposed":
        break;
      default:
        next satisfies never;
    }
    this.#snapshot = this.#buildSnapshot();
    for (const listener of [...this.#listeners]) this.#guard("subscribe listener", listener);
    this.#emit("state", this.#snapshot);
  }

  /** Enter `signedOut` or `disposed`: abort the fetch in flight and settle every waiter. */
  #enterTerminal(next: Extract<State, { status: "signedOut" | "disposed" }>, failure: Error | null): void {
    const previous = this.#state;
    if (previous.status === "fetching") previous.controller.abort(failure ?? new Error("Signed out"));
    this.#transition(next);
    this.#settleWaiters((waiter) => (failure === null ? waiter.resolve(null) : waiter.reject(failure)));
  }

  #buildSnapshot(): TokenSnapshot {
    const state = this.#state;
    const held = state.token;
    const nextFetchAt =
      state.status === "valid" ? state.token.refreshAt : state.status === "retrying" ? state.retryAt : null;
    return Object.freeze({
      status: state.status as TokenStatus,
      hasToken: held !== undefined,
      issuedAt: held?.issuedAt ?? null,
      expiresAt: held?.expiresAt ?? null,
      nextFetchAt,
      subject: held?.sub ?? null,
      issuer: held?.iss ?? null,
      error: this.#lastError,
      failures: this.#failures,
      clockSkewMs: this.#skewMs,
    });
  }

  // ---------------------------------------------------------------------------------------------------------
  // Output

  #emit<E extends keyof TokenManagerEvents>(event: E, payload: Parameters<TokenManagerEvents[E]>[0]): void {
    this.#guard(`"${event}" listener`, () => (this.#events.emit as (e: E, p: unknown) => boolean)(event, payload));
  }

  #guard(what: string, fn: () => unknown): void {
    try {
      fn();
    } catch (error) {
      this.#log("error", `a ${what} threw: ${describe(error)}`);
    }
  }

  #warn(code: TokenWarningCode, message: string): void {
    if (code !== "ERR_CLOCK_SKEW") {
      if (this.#warned.has(code)) return;
      this.#warned.add(code);
    }
    this.#log("warn", message);
    this.#emit("warning", { code, message });
  }

  #log(level: keyof Logger, message: string): void {
    const sink = this.#logger[level];
    if (sink) this.#guard("logger", () => sink.call(this.#logger, `[convex-custom-jwt] ${message}`));
  }
}

/**
 * Create a {@link TokenManager}.
 *
 * @example
 * const tokens = createTokenManager({
 *   fetchToken: async ({ signal }) => {
 *     const res = await fetch("/api/convex-token", { signal, credentials: "include" });
 *     if (res.status === 401) return null;               // definitively signed out
 *     if (!res.ok) throw new Error(`token endpoint ${res.status}`);
 *     return (await res.json()).token;
 *   },
 * });
 * const token = await tokens.getToken();
 */
export function createTokenManager(options: TokenManagerOptions): TokenManager {
  return new TokenManager(options);
}

function validateOptions(options: TokenManagerOptions) {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("createTokenManager: pass an options object with at least `fetchToken`.");
  }
  if (typeof options.fetchToken !== "function") {
    throw new TypeError(
      "createTokenManager: `fetchToken` must be a function ({ signal, reason, attempt }) => Promise<string | null>.",
    );
  }
  const duration = (name: string, value: number | undefined, fallback: number, max: number, min = 0): number => {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
      throw new TypeError(`createTokenManager: \`${name}\` must be a number of milliseconds from ${min} to ${max}; got ${String(value)}.`);
    }
    return value;
  };
  const retry = options.retry ?? {};
  const attempts = retry.attempts ?? 4;
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 100) {
    throw new TypeError(`createTokenManager: \`retry.attempts\` must be an integer from 1 to 100; got ${String(attempts)}.`);
  }
  const baseDelayMs = duration("retry.baseDelayMs", retry.baseDelayMs, 1_000, DAY_MS);
  const maxDelayMs = duration("retry.maxDelayMs", retry.maxDelayMs, Math.max(30_000, baseDelayMs), DAY_MS);
  if (maxDelayMs < baseDelayMs) {
    throw new TypeError("createTokenManager: `retry.maxDelayMs` must be at least `retry.baseDelayMs`.");
  }
  if (retry.shouldRetry !== undefined && typeof retry.shouldRetry !== "function") {
    throw new TypeError("createTokenManager: `retry.shouldRetry` must be a function (error, attempt) => boolean.");
  }
  if (options.clock !== undefined && (typeof options.clock !== "object" || options.clock === null)) {
    throw new TypeError("createTokenManager: `clock` must be an object with now/setTimeout/clearTimeout/random.");
  }
  for (const name of ["issuer", "applicationID"] as const) {
    if (options[name] !== undefined && (typeof options[name] !== "string" || options[name] === "")) {
      throw new TypeError(`createTokenManager: \`${name}\` must be a non-empty string.`);
    }
  }
  return {
    ...options,
    refreshLeewayMs: duration("refreshLeewayMs", options.refreshLeewayMs, 60_000, DAY_MS),
    refreshJitterMs: duration("refreshJitterMs", options.refreshJitterMs, 30_000, DAY_MS),
    minValidityMs: duration("minValidityMs", options.minValidityMs, 10_000, DAY_MS),
    fetchTimeoutMs: duration("fetchTimeoutMs", options.fetchTimeoutMs, 10_000, DAY_MS, 1),
    maxClockSkewMs: duration("maxClockSkewMs", options.maxClockSkewMs, 60 * 60 * 1000, 7 * DAY_MS),
    retryPolicy: { attempts, baseDelayMs, maxDelayMs, shouldRetry: retry.shouldRetry ?? isRetryable },
  };
}
