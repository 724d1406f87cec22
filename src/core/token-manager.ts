/**
 * The token manager: one state machine that keeps a valid JWT at hand.
 *
 * The states are a discriminated union (`state.ts`), each carrying only its own data. Every change goes
 * through `#transition`, which re-arms the one timer (`timerOf`), rebuilds the snapshot and notifies. What
 * outlives a state is kept in named parts: the skew estimate (`skew-estimate.ts`), what was learnt about the
 * issuer (`issuer-habits.ts`), the hot path's copy of the token (`hot-path.ts`), the failure record, and
 * whether the network is down. All times are on the manager's {@link Timeline} and shown as wall-clock epoch
 * ms outside. The state and transition tables and the invariants are in ARCHITECTURE.md.
 *
 * @module
 */
import { acceptToken } from "./accept";
import { DeadlineTimer, systemClock, Timeline, type Clock } from "./clock";
import { TokenFetchTimeoutError, TokenManagerDisposedError, describe, tokenHint } from "./errors";
import type { SignedOutEvent, TokenManagerEvents } from "./events";
import { HotPath } from "./hot-path";
import { IssuerHabits } from "./issuer-habits";
import { mustBe, validateOptions, type ResolvedOptions, type TokenManagerOptions } from "./options";
import { Reporter } from "./reporter";
import { planRetry, retryAfterOf } from "./retry";
import { SkewEstimate } from "./skew-estimate";
import { NO_FAILURES, snapshotOf, type Failures } from "./snapshot";
import { callerError, demandReason, live, timerOf, tooShort, usable } from "./state";
import type { Fetching, Held, State } from "./state";
import { settleAll, wait, type Waiter } from "./waiters";
import type { FetchReason, GetTokenOptions, OutsideSignal, TokenSnapshot } from "./types";
import type { TokenSource } from "./token-source";

export type { TokenManagerOptions } from "./options";

// Small constants are written out where used (tsup emits module constants as `var`s, which a consumer's
// minifier cannot inline). 5_000 ms is both the timer's longest sleep (a missed deadline, after sleep or
// throttling, is seen within 5 s) and the lateness that makes a timer's fetch reason "wake".

/**
 * Keeps a valid JWT at hand: fetches it, refreshes it ahead of `exp` with jitter, deduplicates concurrent
 * requests, retries transient failures, and signs out cleanly. Create it with {@link createTokenManager}
 * (or `new TokenManager(options)`).
 *
 * @example
 * const tokens = new TokenManager({ fetchToken: async ({ signal }) => (await fetch("/token", { signal })).text() });
 * const token = await tokens.getToken();
 */
export class TokenManager implements TokenSource {
  readonly #options: ResolvedOptions;
  readonly #clock: Clock;
  readonly #time: Timeline;
  readonly #timer: DeadlineTimer;
  readonly #events: Reporter;
  readonly #waiters = new Set<Waiter>();
  readonly #listeners = new Set<() => void>();
  #state!: State;
  #snapshot!: TokenSnapshot;
  readonly #hot = new HotPath();
  readonly #skew = new SkewEstimate();
  readonly #habits: IssuerHabits;
  #failures: Failures = NO_FAILURES;
  /** `notify("offline")` came last: failures spend no attempt, and the next try waits for `"online"`. */
  #offline = false;

  constructor(options: TokenManagerOptions) {
    this.#options = validateOptions(options);
    this.#events = new Reporter(options.logger);
    this.#habits = new IssuerHabits(this.#options);
    const clock: Clock = { ...systemClock, ...options.clock };
    // A custom `now` is never paired with the platform's monotonic clock: they would disagree.
    if (options.clock?.now && !options.clock.monotonicNow) clock.monotonicNow = undefined;
    this.#clock = clock;
    this.#time = new Timeline(this.#clock);
    this.#timer = new DeadlineTimer(this.#clock, 5_000, () => this.#now());
    this.#transition({ status: "idle" }); // nobody listens yet: this only builds the first snapshot
  }

  /**
   * A token valid for at least `minValidityMs`, or `null` when signed out.
   *
   * The cached path is a clock read and two comparisons. Otherwise every concurrent caller shares one fetch.
   * Rejects with a `TokenFetchError` once the retry policy gives up without a valid token, with an
   * `InvalidTokenError` when the issuer's token is unusable, or with `signal.reason` when aborted.
   *
   * @example
   * const token = await manager.getToken();                 // cached, or fetched once for everyone
   * const fresh = await manager.getToken({ forceRefresh: true });
   */
  async getToken(options?: GetTokenOptions): Promise<string | null> {
    const now = this.#clock.now();
    const hot = this.#hot;
    // Explicit comparisons, not truthiness: an object's ToBoolean costs a map check on this hot path. A wall
    // reading below the last one means the clock went back: take the slow path, which re-anchors.
    if (options === undefined && now < hot.until && now >= hot.floor) return hot.raw;
    return this.#getTokenSlow(options ?? {});
  }

  /**
   * The held token if it can be served now (as `getToken()` would without fetching), else `null`. Synchronous;
   * never starts a fetch.
   */
  peekToken(): string | null {
    const token = this.#state.token;
    return token !== undefined && this.#now() < token.serveUntil ? token.raw : null;
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
    const state = this.#state;
    switch (state.status) {
      case "disposed":
        throw new TokenManagerDisposedError();
      case "idle":
      case "signedOut":
        return this.#fetch("initial", 1);
      case "fetching":
      case "valid":
      case "retrying":
        return; // already running
      default:
        state satisfies never;
    }
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
      this.#events.clear();
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

  /** Listen to an event. Each listener is guarded: one that throws is logged and the others still run. */
  on<E extends keyof TokenManagerEvents>(event: E, listener: TokenManagerEvents[E]): this {
    this.#events.on(event, listener);
    return this;
  }

  /** Listen to the next occurrence of an event only. */
  once<E extends keyof TokenManagerEvents>(event: E, listener: TokenManagerEvents[E]): this {
    this.#events.on(event, listener, true);
    return this;
  }

  /** Stop listening. */
  off<E extends keyof TokenManagerEvents>(event: E, listener: TokenManagerEvents[E]): this {
    this.#events.off(event, listener);
    return this;
  }

  /**
   * Ask the manager to re-check its token because of an outside event (browser signals call this; see
   * {@link OutsideSignal}). `"focus"`, `"wake"`, `"online"`: a token past its refresh point (or no longer
   * servable) is refreshed at once, a retry that fell due is made; `"online"` also makes a planned retry
   * now, bypassing backoff. `"offline"`: failures spend no retries, and the background retry waits for
   * `"online"`. Never throws.
   *
   * @example
   * window.addEventListener("online", () => manager.notify("online"));
   */
  notify(signal: OutsideSignal): void {
    try {
      if (signal === "offline" || signal === "online") this.#offline = signal === "offline";
      const state = this.#state;
      const now = this.#now();
      switch (state.status) {
        case "valid":
          if (signal !== "offline" && now >= state.token.refreshAt) this.#fetch(signal, 1);
          return;
        case "retrying":
          if (signal !== "offline" && (signal === "online" || now >= state.retryAt))
            this.#fetch(signal, state.attempt + 1);
          return;
        case "idle":
        case "fetching":
        case "signedOut":
        case "disposed":
          return; // nothing planned to bring forward
        default:
          state satisfies never;
      }
    } catch (error) {
      this.#events.log("error", `notify: ${describe(error)}`);
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

    const now = this.#now();
    if (!forceRefresh && token && usable(token, now, minValidityMs)) {
      // Past its refresh point but the timer has not fired (throttled tab, blocked loop): refresh now.
      if (status === "valid" && now >= token.refreshAt) this.#fetch("scheduled", 1);
      return token.raw;
    }
    // The issuer's last new token could not meet this: fail fast instead of fetching on every call.
    const { ceiling } = this.#habits;
    if (!forceRefresh && minValidityMs! > ceiling) throw tooShort(ceiling, minValidityMs!, token?.raw ?? "");
    // Never bypass backoff on demand (no storms): wait for the planned retry, or fail fast.
    if (state.status === "retrying" && state.failFast) throw callerError(state.error, state.attempt);
    return wait(this.#waiters, this.#timer, minValidityMs, signal, () => {
      const reason = demandReason(status, forceRefresh);
      if (reason) this.#fetch(reason, 1);
    });
  }

  // ---------------------------------------------------------------------------------------------------------
  // Fetching

  #fetch(reason: FetchReason, attempt: number): void {
    const previous = this.#state;
    if (previous.status === "fetching") return; // single-flight
    const now = this.#now();
    const controller = new AbortController();
    // This object is the fetch's identity: any later transition replaces it, and a late result is discarded.
    const deadline = now + this.#options.fetchTimeoutMs;
    const token = live(previous.token, now);
    const state: Fetching = { status: "fetching", token, reason, attempt, controller, deadline };
    this.#transition(state);
    if (this.#state === state) this.#events.emit("refreshing", { reason, attempt });
    if (this.#state !== state) return; // a listener signed out or disposed: no fetch starts
    this.#events.log("debug", `fetch (${reason}, attempt ${attempt})`);
    let pending: Promise<unknown>;
    try {
      pending = Promise.resolve(this.#options.fetchToken({ signal: controller.signal, reason, attempt }));
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (result) => this.#onFetchSettled(state, true, result),
      (error: unknown) => this.#onFetchSettled(state, false, error),
    );
  }

  #onFetchSettled(state: Fetching, ok: boolean, value: unknown): void {
    // Overtaken by signOut(), dispose() or the timeout: drop it (invariant 3).
    if (this.#state !== state)
      return this.#events.emit("discarded", { outcome: !ok ? "error" : value === null ? "null" : "token" });
    if (!ok) return this.#onFetchFailed(state, value);
    if (value === null) return this.#end("fetcher");
    const now = this.#now();
    let received: Held;
    try {
      received = this.#accept(value, now);
    } catch (failure) {
      return this.#onFetchFailed(state, failure);
    }
    // A warning listener may have signed out meanwhile.
    if (this.#state !== state) return this.#events.emit("discarded", { outcome: "token" });
    this.#onTokenReceived(state, received, now);
  }

  /** `acceptToken` with this manager's skew estimate, and its warnings told. @throws InvalidTokenError */
  #accept(value: unknown, now: number): Held {
    const skew = this.#skew;
    const { jumped } = this.#time;
    const accepted = acceptToken(value, now, skew.samples, skew.known, jumped, this.#options, this.#clock.random());
    skew.record(accepted.samples, accepted.held.raw);
    if (accepted.settled) this.#time.jumped = 0;
    for (const [code, message] of accepted.warnings) this.#events.warn(code, message);
    if (skew.revise(accepted.skewMs))
      this.#events.warn(
        "ERR_CLOCK_SKEW",
        `This clock is ${Math.round(skew.ms / 1000)} s ahead of the issuer's: corrected.`,
      );
    return accepted.held;
  }

  /** A token came: keep it (or the held one, if it is that one again or expires no later), then serve it. */
  #onTokenReceived(state: Fetching, received: Held, now: number): void {
    const previous = state.token;
    // A token to use and announce: not the one held, expiring no sooner. "Later" is what stops a loop.
    const fresh = !previous || (received.raw !== previous.raw && received.exp >= previous.exp);
    if (!fresh && state.reason === "forced") {
      this.#events.warn(
        "ERR_TOKEN_NOT_RENEWED",
        'A forced refresh got the held token back: mint a new one when reason is "forced".',
      );
      // A warning listener may have signed out meanwhile.
      if (this.#state !== state) return this.#events.emit("discarded", { outcome: "token" });
    }
    const held = this.#habits.plan(fresh ? received : previous!, previous, now, () => this.#clock.random());
    if (now >= held.serveUntil)
      return this.#onFetchFailed(
        state,
        tooShort(held.expiresAt - now, held.expiresAt - held.serveUntil, held.raw),
        held,
      );
    this.#failures = NO_FAILURES;
    this.#transition({ status: "valid", token: held });
    // A "state" or subscribe() listener may have signed out during the transition: announce nothing then.
    if (fresh && this.#state.token === held) this.#announce(state.reason, held);
    if (this.#state.token !== held) return; // a token listener signed out (its waiters are settled)
    settleAll(this.#waiters, this.#timer, ({ minValidityMs, settle }) =>
      settle(
        held.raw,
        usable(held, now, minValidityMs) ? undefined : tooShort(held.expiresAt - now, minValidityMs!, held.raw),
      ),
    );
  }

  /** The `token` event: a new token is held. */
  #announce(reason: FetchReason, held: Held): void {
    const time = this.#time;
    this.#events.emit("token", {
      reason,
      expiresAt: time.toWall(held.expiresAt),
      refreshAt: time.toWall(held.refreshAt),
      subject: held.sub,
      issuer: held.iss,
      tokenHint: tokenHint(held.raw),
    });
  }

  #onFetchFailed({ attempt: tried, token }: Fetching, error: unknown, keep = token): void {
    const retryable = !!this.#events.guard("shouldRetry", () => this.#options.shouldRetry(error, tried));
    const offline = this.#offline;
    const now = this.#now();
    const failure = { retryable, offline, retryAfterMs: retryAfterOf(error) }; // Retry-After capped at 1 h
    const { attempt, delayMs, failFast } = planRetry(tried, failure, this.#options, () => this.#clock.random());
    const held = live(keep, now);
    const retryAt = offline ? Infinity : now + delayMs;
    this.#failures = { count: this.#failures.count + 1, last: error };
    this.#transition({ status: "retrying", token: held, attempt, error, retryAt, failFast });
    this.#events.log(
      "warn",
      `fetch attempt ${tried} failed (${describe(error)}); next try ` +
        `${offline ? "when online" : `in ${Math.round(delayMs)} ms`}`,
    );
    this.#events.emit("error", {
      error,
      attempt: tried,
      retryAt: this.#time.toWall(retryAt),
      exhausted: failFast,
      servingToken: !!held && now < held.serveUntil,
    });
    if (failFast && this.#state.status === "retrying") {
      const rejection = callerError(error, tried);
      settleAll(this.#waiters, this.#timer, (waiter) => waiter.settle(null, rejection));
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // The timer

  #onTimer = (lateByMs: number): void => {
    const state = this.#state;
    const late = lateByMs > 5_000;
    // Without a monotonic clock a late timer is the only sign of a forward jump (or a sleep).
    if (late && !this.#clock.monotonicNow) this.#time.jumped += lateByMs;
    switch (state.status) {
      case "fetching": {
        const timeout = new TokenFetchTimeoutError(this.#options.fetchTimeoutMs);
        state.controller.abort(timeout);
        return this.#onFetchFailed(state, timeout);
      }
      case "valid":
        return this.#fetch(late ? "wake" : "scheduled", 1);
      case "retrying":
        // Fired for the held token's expiry, before the next try: stop holding it.
        if (state.token && this.#now() < state.retryAt) return this.#transition({ ...state, token: undefined });
        return this.#fetch(late ? "wake" : "retry", state.attempt + 1);
      case "idle":
      case "signedOut":
      case "disposed":
        return; // no timer is armed in these states
      default:
        state satisfies never;
    }
  };

  /** The time line's now (its jumps are noted on it for the skew estimate); refreshes the hot path's copy. */
  #now(): number {
    const now = this.#time.now();
    this.#hot.update(this.#state?.token, this.#time);
    return now;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Transitions

  /** The only place the state changes: re-arm the one timer, rebuild the snapshot, notify. */
  #transition(next: State): void {
    this.#state = next;
    const at = timerOf(next);
    if (at === null) this.#timer.clear();
    else this.#timer.set(at, this.#onTimer);
    this.#now(); // refresh the hot path's copy
    this.#snapshot = snapshotOf(next, this.#time, this.#failures, this.#skew.ms);
    for (const listener of [...this.#listeners]) this.#events.guard("a subscribe listener", listener);
    this.#events.emit("state", this.#snapshot);
  }

  /**
   * Sign out (`reason` given: resolve waiters with null) or dispose (reject them): abort the fetch in flight,
   * enter the terminal state, settle every waiter. A dispatch of events under way stops (no token reaches a
   * listener after this).
   */
  #end(reason?: SignedOutEvent["reason"]): void {
    const failure = reason ? null : new TokenManagerDisposedError();
    const previous = this.#state;
    this.#events.stopDispatch();
    this.#habits.forgetTries();
    this.#skew.forgetTokens();
    this.#transition(reason ? { status: "signedOut" } : { status: "disposed" });
    if (previous.status === "fetching")
      this.#events.guard("an abort listener", () => previous.controller.abort(failure ?? new Error("Signed out")));
    settleAll(this.#waiters, this.#timer, (waiter) => waiter.settle(null, failure));
    if (reason) this.#events.emit("signedOut", { reason });
  }
}
