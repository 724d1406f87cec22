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
import { decodeClaims, notAJwt, type ExpectedClaims } from "./jwt";
import { backoffDelay, isRetryable, retryAfterOf, type RetryPolicy } from "./retry";
import { estimateSkew, planRefresh } from "./schedule";
import type { DiscardedEvent, SignedOutEvent, TokenManagerEvents } from "./events";
import type { FetchReason, GetTokenOptions, Logger, OutsideSignal, TokenFetcher, TokenSnapshot, TokenSource, TokenStatus } from "./types";

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

interface Held {
  readonly raw: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly refreshAt: number;
  readonly serveUntil: number;
  readonly sub: string | null;
  readonly iss: string | null;
}

interface Fetching {
  readonly status: "fetching";
  readonly token: Held | undefined;
  readonly reason: FetchReason;
  readonly attempt: number;
  readonly controller: AbortController;
  readonly deadline: number;
}

type State =
  | { readonly status: "idle" | "signedOut" | "disposed"; readonly token?: undefined }
  | Fetching
  | { readonly status: "valid"; readonly token: Held }
  | {
      readonly status: "retrying";
      readonly token: Held | undefined;
      readonly attempt: number;
      readonly error: unknown;
      readonly retryAt: number;
      readonly exhausted: boolean;
    };

interface Waiter {
  readonly minValidityMs: number | undefined;
  /** Reject with `error` when given (always an object), else resolve with `token`. */
  readonly settle: (token: string | null, error?: unknown) => void;
}

/** Options with every default filled in, `retry` flattened in. */
type Resolved = TokenManagerOptions &
  Required<RetryPolicy & Pick<TokenManagerOptions, "refreshLeewayMs" | "refreshJitterMs" | "minValidityMs" | "fetchTimeoutMs" | "maxClockSkewMs">>;

// Small constants are written out where used (tsup emits module constants as `var`s, which a consumer's
// minifier cannot inline). 5_000 ms is, in turn: the timer's longest sleep (a missed deadline, after sleep or
// throttling, is seen within 5 s); the lateness that makes a timer's fetch reason "wake"; and the
// `receivedAt − iat` taken for network latency rather than clock skew (Convex allows 5 s at Authenticate).
const DAY_MS = 86_400_000;

/**
 * Keeps a valid JWT at hand: fetches it, refreshes it ahead of `exp` with jitter, deduplicates concurrent
 * requests, retries transient failures, and signs out cleanly. Create it with {@link createTokenManager}.
 */
export class TokenManager implements TokenSource {
  readonly #options: Resolved;
  readonly #clock: Clock;
  readonly #timer: DeadlineTimer;
  readonly #events = new EventEmitter<TokenManagerEvents>();
  readonly #listeners = new Set<() => void>();
  readonly #waiters = new Set<Waiter>();
  readonly #skewSamples: number[] = [];
  readonly #warned = new Set<TokenWarningCode>();
  #state!: State;
  #snapshot!: TokenSnapshot;
  #fetchSeq = 0;
  #failures = 0;
  #lastError: unknown = null;
  #skewMs = 0;

  /** Use {@link createTokenManager}. */
  constructor(options: TokenManagerOptions) {
    this.#options = validateOptions(options);
    this.#clock = { ...systemClock, ...options.clock };
    this.#timer = new DeadlineTimer(this.#clock, 5_000);
    this.#transition({ status: "idle" }); // nobody listens yet: this only builds the first snapshot
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
    // Explicit comparisons, not truthiness: an object's ToBoolean costs a map check on this hot path.
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
    const { status } = this.#state;
    if (status !== "disposed" && status !== "signedOut") this.#end("signOut");
  }

  /** Stop for good: abort the fetch in flight, clear the timer, reject pending calls, drop all listeners. */
  dispose(): void {
    if (this.#state.status !== "disposed") {
      this.#end();
      this.#events.removeAllListeners();
      this.#listeners.clear();
    }
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

  /**
   * Ask the manager to re-check its token because of an outside event (browser signals call this; see
   * {@link OutsideSignal}). A token past its refresh point is refreshed at once; a planned retry is brought
   * forward when the network comes back. Never throws.
   *
   * @example
   * window.addEventListener("online", () => manager.notify("online"));
   */
  notify(signal: OutsideSignal): void {
    const state = this.#state;
    if (signal === "offline") return;
    if (state.status === "valid") {
      if (this.#clock.now() >= state.token.refreshAt) this.#fetch(signal, 1);
    } else if (state.status === "retrying" && signal !== "focus") {
      this.#fetch(signal, state.attempt + 1);
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Demand

  async #getTokenSlow({ forceRefresh, minValidityMs, signal }: GetTokenOptions): Promise<string | null> {
    if (!((minValidityMs ?? 0) >= 0)) mustBe("minValidityMs", "a number of milliseconds >= 0", "getToken");
    const state = this.#state;
    const { status, token } = state;
    if (status === "disposed") throw new TokenManagerDisposedError();
    signal?.throwIfAborted();
    if (status === "signedOut") return null;

    const now = this.#clock.now();
    if (!forceRefresh && token && usable(token, now, minValidityMs)) {
      // Past its refresh point but the timer has not fired (throttled tab, blocked loop): refresh now.
      if (status === "valid" && now >= token.refreshAt) this.#fetch("scheduled", 1);
      return token.raw;
    }
    if (state.status === "retrying") {
      // Never bypass backoff on demand (no storms): wait for the planned retry, or fail fast once the
      // policy's attempts are used up.
      if (state.exhausted) throw callerError(state.error, state.attempt);
    } else if (status !== "fetching") {
      this.#fetch(status === "idle" ? "initial" : forceRefresh ? "forced" : "scheduled", 1);
    }
    return new Promise<string | null>((resolve, reject) => {
      const onAbort = () => {
        this.#waiters.delete(waiter);
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        minValidityMs,
        settle: (token, error) => {
          signal?.removeEventListener("abort", onAbort);
          if (error) reject(error);
          else resolve(token);
        },
      };
      this.#waiters.add(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  #settleWaiters(settle: (waiter: Waiter) => void): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    waiters.forEach(settle);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Fetching

  #fetch(reason: FetchReason, attempt: number): void {
    const previous = this.#state;
    if (previous.status === "fetching") return; // single-flight
    const now = this.#clock.now();
    const controller = new AbortController();
    // This object is the fetch's identity: any later transition replaces it, and a late result is discarded.
    const state: Fetching = {
      status: "fetching",
      token: live(previous.token, now),
      reason,
      attempt,
      controller,
      deadline: now + this.#options.fetchTimeoutMs,
    };
    this.#transition(state);
    this.#emit("refreshing", { reason, attempt });
    this.#log("debug", `fetch #${++this.#fetchSeq} (${reason}, attempt ${attempt})`);
    let pending: Promise<unknown>;
    try {
      pending = Promise.resolve(this.#options.fetchToken({ signal: controller.signal, reason, attempt }));
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (result) => this.#onFetchSettled(state, result),
      (error: unknown) => this.#onFetchSettled(state, undefined, error ?? new Error("The fetcher rejected")),
    );
  }

  #onFetchSettled(state: Fetching, result: unknown, error?: unknown): void {
    if (this.#state !== state) {
      // Overtaken by signOut(), dispose() or the timeout: drop it (invariant 3).
      return this.#emit("discarded", { outcome: error !== undefined ? "error" : result === null ? "null" : "token" });
    }
    if (error !== undefined) return this.#onFetchFailed(state, error);
    if (result === null) return this.#end("fetcher");
    let held: Held;
    try {
      held = this.#accept(result);
    } catch (failure) {
      return this.#onFetchFailed(state, failure);
    }
    // A warning listener may have signed out meanwhile.
    if (this.#state !== state) return this.#emit("discarded", { outcome: "token" });
    this.#failures = 0;
    this.#lastError = null;
    this.#transition({ status: "valid", token: held });
    const hint = tokenHint(held.raw);
    this.#log("debug", `token ${hint} valid until ${new Date(held.expiresAt).toISOString()}`);
    this.#emit("token", {
      reason: state.reason,
      expiresAt: held.expiresAt,
      refreshAt: held.refreshAt,
      subject: held.sub,
      issuer: held.iss,
      tokenHint: hint,
    });
    const now = this.#clock.now();
    this.#settleWaiters(({ minValidityMs, settle }) =>
      settle(
        held.raw,
        usable(held, now, minValidityMs)
          ? undefined
          : new InvalidTokenError(
              "ERR_TOKEN_TOO_SHORT_LIVED",
              `The new token is valid for ${Math.round((held.expiresAt - now) / 1000)} s, less than the ` +
                `${Math.round((minValidityMs ?? held.expiresAt - held.serveUntil) / 1000)} s of \`minValidityMs\`: ` +
                "mint longer-lived tokens or ask for less.",
              held.raw,
            ),
      ),
    );
  }

  /** Check, decode, correct for skew and plan: a fetcher result becomes a held token, or throws. */
  #accept(result: unknown): Held {
    const raw = typeof result === "string" ? result : (result as { token?: unknown } | undefined)?.token;
    if (typeof raw !== "string") throw notAJwt(typeof result);
    const o = this.#options;
    const { exp, iat, sub, iss } = decodeClaims(raw, o);
    const receivedAt = this.#clock.now();
    if (iat === undefined) {
      this.#warn(
        "ERR_TOKEN_MISSING_IAT",
        "The JWT has no `iat` claim, which Convex's client needs to schedule its refresh: configure the issuer to set it.",
      );
    } else {
      const samples = this.#skewSamples;
      if (samples.push(receivedAt - iat) > 5) samples.shift(); // the last 5 samples
      const skew = estimateSkew(samples, 5_000, o.maxClockSkewMs);
      if (iat - receivedAt > 5_000) {
        this.#warn(
          "ERR_TOKEN_IAT_IN_FUTURE",
          `The JWT's \`iat\` is ${Math.round((iat - receivedAt) / 1000)} s ahead of this clock. If the issuer's ` +
            "clock is the one off, Convex rejects its tokens beyond 5 s: keep it in sync (NTP).",
        );
      }
      if (skew !== this.#skewMs) {
        this.#skewMs = skew;
        if (skew) {
          this.#warn(
            "ERR_CLOCK_SKEW",
            `This clock is about ${Math.round(skew / 1000)} s ${skew > 0 ? "ahead of" : "behind"} the issuer's; ` +
              "token times are corrected for it.",
          );
        }
      }
    }
    const skew = this.#skewMs;
    const expiresAt = exp + skew;
    const issuedAt = iat === undefined ? receivedAt : Math.min(receivedAt, iat + skew);
    if (expiresAt <= receivedAt) {
      throw new InvalidTokenError(
        "ERR_TOKEN_EXPIRED",
        `The fetched token (${tokenHint(raw)}) expired ${Math.ceil((receivedAt - expiresAt) / 1000)} s ago. Set ` +
          '`exp` in seconds, and make a caching issuer mint a new token when the fetch reason is "forced".',
        raw,
      );
    }
    // `raw`, `refreshAt` and `serveUntil` (the cached paths' reads) stay in-object with V8 despite the spread.
    return {
      raw,
      issuedAt,
      expiresAt,
      ...planRefresh({ issuedAt, expiresAt }, o.refreshLeewayMs, o.refreshJitterMs, o.minValidityMs, this.#clock.random()),
      sub: sub ?? null,
      iss: iss ?? null,
    };
  }

  #onFetchFailed({ attempt, token }: Fetching, error: unknown): void {
    const o = this.#options;
    let retryable: unknown;
    try {
      retryable = o.shouldRetry(error, attempt);
    } catch (hookError) {
      this.#log("error", `retry.shouldRetry threw: ${describe(hookError)}`);
    }
    const exhausted = !retryable || attempt >= o.attempts;
    const now = this.#clock.now();
    const retryAfter = retryAfterOf(error);
    const delay = retryable ? backoffDelay(attempt, o, this.#clock.random(), retryAfter) : Math.max(o.maxDelayMs, retryAfter ?? 0);
    const held = live(token, now);
    const failed = { error, attempt, retryAt: now + delay, exhausted };
    this.#failures++;
    this.#lastError = error;
    this.#transition({ status: "retrying", token: held, ...failed });
    this.#log("warn", `fetch attempt ${attempt} failed (${describe(error)}); next try in ${Math.round(delay)} ms`);
    this.#emit("error", { ...failed, servingToken: !!held });
    if (exhausted) {
      const failure = callerError(error, attempt);
      this.#settleWaiters((waiter) => waiter.settle(null, failure));
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // The timer

  #onTimer = (lateByMs: number): void => {
    const state = this.#state;
    const late = lateByMs > 5_000;
    if (late) this.#log("debug", `timer fired ${Math.round(lateByMs)} ms late (sleep or throttling)`);
    if (state.status === "fetching") {
      const timeout = new TokenFetchTimeoutError(this.#options.fetchTimeoutMs);
      state.controller.abort(timeout);
      this.#onFetchFailed(state, timeout);
    } else if (state.status === "valid") {
      this.#fetch(late ? "wake" : "scheduled", 1);
    } else if (state.status === "retrying") {
      // Fired for the held token's expiry, before the next try: stop serving it.
      if (state.token && this.#clock.now() < state.retryAt) this.#transition({ ...state, token: undefined });
      else this.#fetch(late ? "wake" : "retry", state.attempt + 1);
    }
  };

  // ---------------------------------------------------------------------------------------------------------
  // Transitions

  /** The only place the state changes: re-arm the one timer, rebuild the snapshot, notify. */
  #transition(next: State): void {
    this.#state = next;
    const held = next.token;
    const nextFetchAt = next.status === "valid" ? held!.refreshAt : next.status === "retrying" ? next.retryAt : null;
    // Fetching: the timeout. Valid: the refresh (always before `exp`). Retrying: the next try, or the held
    // token's expiry if sooner.
    const timerAt =
      next.status === "fetching" ? next.deadline : nextFetchAt === null ? null : Math.min(nextFetchAt, held?.expiresAt ?? Infinity);
    if (timerAt === null) this.#timer.clear();
    else this.#timer.set(timerAt, this.#onTimer);
    this.#snapshot = Object.freeze({
      status: next.status as TokenStatus,
      hasToken: !!held,
      issuedAt: held?.issuedAt ?? null,
      expiresAt: held?.expiresAt ?? null,
      nextFetchAt,
      subject: held?.sub ?? null,
      issuer: held?.iss ?? null,
      error: this.#lastError,
      failures: this.#failures,
      clockSkewMs: this.#skewMs,
    });
    for (const listener of [...this.#listeners]) this.#guard("subscribe listener", listener);
    this.#emit("state", this.#snapshot);
  }

  /**
   * Sign out (`reason` given: resolve waiters with null) or dispose (reject them): abort the fetch in flight,
   * enter the terminal state, settle every waiter.
   */
  #end(reason?: SignedOutEvent["reason"]): void {
    const failure = reason ? null : new TokenManagerDisposedError();
    const previous = this.#state;
    if (previous.status === "fetching") previous.controller.abort(failure ?? new Error("Signed out"));
    this.#transition({ status: reason ? "signedOut" : "disposed" });
    this.#settleWaiters((waiter) => waiter.settle(null, failure));
    if (reason) this.#emit("signedOut", { reason });
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
    // Each warning once per manager, but every change of the skew estimate.
    if (code === "ERR_CLOCK_SKEW" || !this.#warned.has(code)) {
      this.#warned.add(code);
      this.#log("warn", message);
      this.#emit("warning", { code, message });
    }
  }

  #log(level: keyof Logger, message: string): void {
    const logger = this.#options.logger;
    const sink = logger?.[level];
    if (sink) {
      try {
        sink.call(logger, `[convex-custom-jwt] ${message}`);
      } catch (error) {
        // Reported once to the error sink; a throwing error sink is ignored (no recursion).
        if (level !== "error") this.#log("error", `a logger threw: ${describe(error)}`);
      }
    }
  }
}

/** Whether `held` can be served at `now` to a caller asking for `minValidityMs` (default: its serving limit). */
function usable(held: Held, now: number, minValidityMs: number | undefined): boolean {
  return minValidityMs === undefined ? now < held.serveUntil : held.expiresAt - now >= minValidityMs;
}

/** `held` if it has not expired at `now`. */
function live(held: Held | undefined, now: number): Held | undefined {
  return held && now < held.expiresAt ? held : undefined;
}

/** What a caller without a valid token gets once the policy gives up. */
function callerError(error: unknown, attempts: number): Error {
  return error instanceof InvalidTokenError ? error : new TokenFetchError(attempts, error);
}

function mustBe(name: string, what: string, where = "createTokenManager"): never {
  throw new TypeError(`${where}: \`${name}\` must be ${what}.`);
}

function validateOptions(options: TokenManagerOptions): Resolved {
  if (typeof options?.fetchToken !== "function") {
    mustBe("fetchToken", "a function ({ signal, reason, attempt }) => Promise<string | null>");
  }
  const number = (name: string, value: unknown, fallback: number, min = 0, max = DAY_MS, integer?: boolean) => {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !(value >= min && value <= max) || (integer && !Number.isInteger(value))) {
      mustBe(name, `${integer ? "an integer" : "a number of milliseconds"} from ${min} to ${max}; got ${String(value)}`);
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
    ["clock", options.clock, "object", "an object with now/setTimeout/clearTimeout/random"],
    ["issuer", options.issuer, "string", "a non-empty string"],
    ["applicationID", options.applicationID, "string", "a non-empty string"],
  ] as const) {
    if (value !== undefined && (typeof value !== type || !value)) mustBe(name, what);
  }
  const resolved = { ...options, attempts, baseDelayMs, maxDelayMs, shouldRetry: retry.shouldRetry ?? isRetryable } as Resolved;
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
