/**
 * The token manager: one state machine that keeps a valid JWT at hand.
 *
 * States are a discriminated union, each carrying only its own data; the one timer's meaning per state is
 * chosen by `timerOf` in `state.ts` (an exhaustive `switch`), which also builds the snapshot. Every state
 * change goes through `#transition`, which re-arms the timer, rebuilds the snapshot and notifies. All times
 * are on the manager's {@link Timeline} (monotone, re-anchored on wall-clock jumps) and shown as wall-clock
 * epoch ms outside. The state and transition tables and the invariants are in ARCHITECTURE.md. Around it:
 * options in `options.ts`, acceptance in `accept.ts`, the waiting callers in `waiters.ts`, events, logs and
 * warnings in `reporter.ts`.
 *
 * @module
 */
import { acceptToken, type Held } from "./accept";
import { acceptInitialToken } from "./initial-token";
import { DeadlineTimer, systemClock, Timeline, type Clock } from "./clock";
import { TokenFetchTimeoutError, TokenManagerDisposedError, describe, tokenHint } from "./errors";
import type { SignedOutEvent, TokenManagerEvents } from "./events";
import { mustBe, validateOptions, type ResolvedOptions, type TokenManagerOptions } from "./options";
import { Reporter } from "./reporter";
import { backoffDelay, retryAfterOf } from "./retry";
import { callerError, live, snapshotOf, timerOf, tooShort, usable, type Fetching, type State } from "./state";
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
  #failures = 0;
  /** Skew samples (`receivedAt − iat` on the time line), one per distinct token, and the last tokens seen. */
  #samples: number[] = [];
  #seen: string[] = [];
  #skewMs = 0;
  /** Consecutive fetches that brought no later-expiring token (a caching issuer). */
  #stale = 0;
  /** Validity left at receipt by the issuer's last new token: a caller asking more fails fast. */
  #ceiling = Infinity;
  /** How close to `exp` a caching issuer was seen to mint again (time-line ms), learnt from a stale try. */
  #remint = 0;
  #lastError: unknown = null;
  #offline = false;
  // The hot path's copy: the held token and, on the wall clock, until when it may be served without a look.
  #fastRaw = "";
  #fastUntil = -Infinity;
  #floor = Infinity;

  constructor(options: TokenManagerOptions) {
    this.#options = validateOptions(options);
    this.#events = new Reporter(options.logger);
    const clock: Clock = { ...systemClock, ...options.clock };
    // A custom `now` is never paired with the platform's monotonic clock: they would disagree.
    if (options.clock?.now && !options.clock.monotonicNow) clock.monotonicNow = undefined;
    this.#clock = clock;
    this.#time = new Timeline(this.#clock);
    this.#timer = new DeadlineTimer(this.#clock, 5_000, () => this.#now());
    this.#transition({ status: "idle" }); // nobody listens yet: this only builds the first snapshot
    if (options.initialToken !== undefined) this.hydrate(options.initialToken);
  }

  /**
   * Start an idle manager from the token a server rendered the page with, instead of fetching (server
   * rendering: the browser's manager adopts the request's token). A token that passes the normal acceptance
   * and can still be served makes the manager `valid` (a `token` event, reason `"initial"`; no fetch; its
   * refresh planned as usual). One that is malformed, expired, not yet valid, for another `issuer` or
   * `applicationID`, or too close to expiry to serve is dropped with warning `ERR_INITIAL_TOKEN_DROPPED`, and
   * the manager stays `idle`: its first use fetches. `null` (the server knows there is no session) signs the
   * manager out: nothing is fetched until `start()`.
   *
   * Only an `idle` manager is changed: once it runs, or was signed out, it keeps its own state (a stale
   * server token can never undo a sign-out). The same as the `initialToken` option, for a manager created
   * before the server's token is known (one per browser tab, outside React). Never fetches.
   *
   * @example
   * const tokens = createTokenManager({ fetchToken });   // created once, outside React
   * tokens.hydrate(tokenFromTheServer);                  // in the browser, before anything uses it
   */
  hydrate(initialToken: string | null): void {
    const { status } = this.#state;
    if (status === "disposed") throw new TokenManagerDisposedError();
    if (status !== "idle") return;
    if (initialToken === null) return this.#end("signOut");
    const now = this.#now();
    let held: Held;
    try {
      const accepted = acceptInitialToken(initialToken, now, this.#options, this.#clock.random());
      held = accepted.held;
      this.#samples = accepted.samples;
      this.#seen = [held.raw];
      for (const [code, message] of accepted.warnings) this.#events.warn(code, message);
      if (accepted.skewMs) {
        this.#skewMs = accepted.skewMs;
        this.#events.warn(
          "ERR_CLOCK_SKEW",
          `This clock is ${Math.round(accepted.skewMs / 1000)} s behind the issuer's: corrected.`,
        );
      }
    } catch (error) {
      return this.#events.warn(
        "ERR_INITIAL_TOKEN_DROPPED",
        `The server's initialToken was dropped (${(error as { code?: string }).code ?? "ERR_TOKEN_MALFORMED"}): ` +
          `${describe(error)} The manager fetches its own token on first use.`,
      );
    }
    if (this.#state.status !== "idle") return; // a warning listener started or signed out the manager
    this.#transition({ status: "valid", token: held });
    this.#announceInitial(held);
  }

  /** The `token` event for a hydrated token, unless a listener of the transition signed out meanwhile. */
  #announceInitial(held: Held): void {
    if (this.#state.token !== held) return;
    this.#events.emit("token", {
      reason: "initial",
      expiresAt: this.#time.toWall(held.expiresAt),
      refreshAt: this.#time.toWall(held.refreshAt),
      subject: held.sub,
      issuer: held.iss,
      tokenHint: tokenHint(held.raw),
    });
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
    // Explicit comparisons, not truthiness: an object's ToBoolean costs a map check on this hot path. A wall
    // reading below the last one means the clock went back: take the slow path, which re-anchors.
    if (options === undefined && now < this.#fastUntil && now >= this.#floor) return this.#fastRaw;
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
    this.#events.on(event, listener as never);
    return this;
  }

  /** Listen to the next occurrence of an event only. */
  once<E extends keyof TokenManagerEvents>(event: E, listener: TokenManagerEvents[E]): this {
    this.#events.on(event, listener as never, true);
    return this;
  }

  /** Stop listening. */
  off<E extends keyof TokenManagerEvents>(event: E, listener: TokenManagerEvents[E]): this {
    this.#events.off(event, listener as never);
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
      if (signal === "offline") return;
      if (
        state.status === "valid"
          ? now >= state.token.refreshAt
          : state.status === "retrying" && (signal === "online" || now >= state.retryAt)
      ) {
        this.#fetch(signal, state.status === "retrying" ? state.attempt + 1 : 1);
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
    if (!forceRefresh && minValidityMs! > this.#ceiling)
      throw tooShort(this.#ceiling, minValidityMs!, token?.raw ?? "");
    // Never bypass backoff on demand (no storms): wait for the planned retry, or fail fast.
    if (state.status === "retrying" && state.failFast) throw callerError(state.error, state.attempt);
    return wait(this.#waiters, this.#timer, minValidityMs, signal, () => {
      if (status === "idle" || status === "valid")
        this.#fetch(status === "idle" ? "initial" : forceRefresh ? "forced" : "scheduled", 1);
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
    const state: Fetching = {
      status: "fetching",
      token: live(previous.token, now),
      reason,
      attempt,
      controller,
      deadline,
    };
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
    let held: Held;
    try {
      const accepted = acceptToken(
        value,
        now,
        this.#samples,
        (raw) => this.#seen.includes(raw),
        this.#time.jumped,
        this.#options,
        this.#clock.random(),
      );
      held = accepted.held;
      this.#samples = accepted.samples;
      if (accepted.settled) this.#time.jumped = 0;
      this.#seen = [...this.#seen, held.raw].slice(-5);
      for (const [code, message] of accepted.warnings) this.#events.warn(code, message);
      const skew = accepted.skewMs;
      if (skew !== null && skew !== this.#skewMs) {
        this.#skewMs = skew;
        if (skew)
          this.#events.warn(
            "ERR_CLOCK_SKEW",
            `This clock is ${Math.round(skew / 1000)} s ahead of the issuer's: corrected.`,
          );
      }
    } catch (failure) {
      return this.#onFetchFailed(state, failure);
    }
    // A warning listener may have signed out meanwhile.
    if (this.#state !== state) return this.#events.emit("discarded", { outcome: "token" });
    const previous = state.token;
    // A token to use and announce: not the one held, expiring no sooner. "Later" is what stops a loop.
    const fresh = !previous || (held.raw !== previous.raw && held.exp >= previous.exp);
    const later = !previous || held.exp > previous.exp;
    if (!fresh) held = previous;
    if (later) {
      // After stale tries, this is how close to `exp` the issuer mints again: aim there next time.
      if (this.#stale && previous) this.#remint = previous.expiresAt - now;
      this.#stale = 0;
      this.#ceiling = held.expiresAt - now;
      if (this.#remint)
        held = {
          ...held,
          refreshAt: Math.min(held.serveUntil, Math.max(held.refreshAt, held.expiresAt - this.#remint + 1_000)),
        };
    } else {
      // The issuer handed back the token already held (or one expiring no later): keep it and try again one
      // backoff step later, never sooner (no loop), and before it stops being servable.
      if (!fresh && state.reason === "forced") {
        this.#events.warn(
          "ERR_TOKEN_NOT_RENEWED",
          'A forced refresh got the held token back: mint a new one when reason is "forced".',
        );
      }
      // Halfway to the end of serving (a search for where the issuer mints again), at least a backoff step.
      const step = Math.min(this.#options.maxDelayMs, this.#options.baseDelayMs * 2 ** Math.min(this.#stale++, 30));
      held = {
        ...held,
        refreshAt: Math.min(
          held.serveUntil,
          now + Math.max(step * (0.5 + this.#clock.random() / 2), (held.serveUntil - now) / 2),
        ),
      };
    }
    if (now >= held.serveUntil)
      return this.#onFetchFailed(
        state,
        tooShort(held.expiresAt - now, held.expiresAt - held.serveUntil, held.raw),
        held,
      );
    this.#failures = 0;
    this.#lastError = null;
    this.#transition({ status: "valid", token: held });
    // A "state" or subscribe() listener may have signed out during the transition: announce nothing then.
    if (fresh && this.#state.token === held) {
      const hint = tokenHint(held.raw);
      this.#events.emit("token", {
        reason: state.reason,
        expiresAt: this.#time.toWall(held.expiresAt),
        refreshAt: this.#time.toWall(held.refreshAt),
        subject: held.sub,
        issuer: held.iss,
        tokenHint: hint,
      });
    }
    if (this.#state.token !== held) return; // a token listener signed out (its waiters are settled)
    settleAll(this.#waiters, this.#timer, ({ minValidityMs, settle }) =>
      settle(
        held.raw,
        usable(held, now, minValidityMs) ? undefined : tooShort(held.expiresAt - now, minValidityMs!, held.raw),
      ),
    );
  }

  #onFetchFailed({ attempt: tried, token }: Fetching, error: unknown, keep = token): void {
    const retryable = this.#events.guard("shouldRetry", () => this.#options.shouldRetry(error, tried));
    const offline = this.#offline;
    const now = this.#now();
    const o = this.#options;
    const attempt = offline ? tried - 1 : tried;
    const exhausted = !retryable || attempt >= o.attempts;
    const retryAfter = retryAfterOf(error); // capped at 1 hour on every path
    const delay = retryable
      ? backoffDelay(Math.max(1, attempt), o, this.#clock.random(), retryAfter)
      : Math.max(o.maxDelayMs, retryAfter ?? 0);
    const failFast = exhausted || offline || delay > o.maxDelayMs;
    const held = live(keep, now);
    const retryAt = offline ? Infinity : now + delay;
    this.#failures++;
    this.#lastError = error;
    this.#transition({ status: "retrying", token: held, attempt, error, retryAt, failFast });
    this.#events.log(
      "warn",
      `fetch attempt ${tried} failed (${describe(error)}); next try ` +
        `${offline ? "when online" : `in ${Math.round(delay)} ms`}`,
    );
    this.#events.emit("error", {
      error,
      attempt: tried,
      retryAt: this.#time.toWall(retryAt),
      exhausted: failFast,
      servingToken: !!held && now < held.serveUntil,
    });
    if (failFast && this.#state.status === "retrying") {
      const failure = callerError(error, tried);
      settleAll(this.#waiters, this.#timer, (waiter) => waiter.settle(null, failure));
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // The timer

  #onTimer = (lateByMs: number): void => {
    const state = this.#state;
    const late = lateByMs > 5_000;
    // Without a monotonic clock a late timer is the only sign of a forward jump (or a sleep).
    if (late && !this.#clock.monotonicNow) this.#time.jumped += lateByMs;
    if (state.status === "fetching") {
      const timeout = new TokenFetchTimeoutError(this.#options.fetchTimeoutMs);
      state.controller.abort(timeout);
      this.#onFetchFailed(state, timeout);
    } else if (state.status === "valid") {
      this.#fetch(late ? "wake" : "scheduled", 1);
    } else if (state.status === "retrying") {
      // Fired for the held token's expiry, before the next try: stop holding it.
      if (state.token && this.#now() < state.retryAt) this.#transition({ ...state, token: undefined });
      else this.#fetch(late ? "wake" : "retry", state.attempt + 1);
    }
  };

  /** The time line's now (its jumps are noted on it for the skew estimate); refreshes the hot path's copy. */
  #now(): number {
    const time = this.#time;
    const now = time.now();
    this.#floor = time.floor;
    const token = this.#state?.token;
    this.#fastUntil = token ? time.toWall(token.refreshAt) : -Infinity;
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
    this.#fastRaw = next.token?.raw ?? "";
    this.#now(); // refresh the hot path's copy
    this.#snapshot = snapshotOf(next, this.#time, this.#lastError, this.#failures, this.#skewMs);
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
    this.#events.era++;
    this.#stale = 0;
    this.#seen = [];
    this.#transition({ status: reason ? "signedOut" : "disposed" });
    if (previous.status === "fetching")
      this.#events.guard("an abort listener", () => previous.controller.abort(failure ?? new Error("Signed out")));
    settleAll(this.#waiters, this.#timer, (waiter) => waiter.settle(null, failure));
    if (reason) this.#events.emit("signedOut", { reason });
  }
}
