/**
 * `StateMachine`: the token manager's states and every move between them. `TokenManager` is its public face.
 *
 * The states are a discriminated union (`state.ts`), each carrying only its own data. Every change goes
 * through `#transition`, which re-arms the one timer (`timerOf`), rebuilds the snapshot and publishes it.
 * What outlives a state is kept in named parts: what the tokens taught (`TokenIntake`: the skew estimate and
 * the issuer's habits), the hot path's copy of the token (`HotPath`), the failure record, and whether the
 * network is down. All times are on the manager's {@link Timeline}, shown as wall-clock epoch ms outside.
 * The state and transition tables and the invariants are in ARCHITECTURE.md.
 *
 * @module
 */
import { DeadlineTimer, Timeline, type Clock } from "./clock";
import { TokenFetchTimeoutError, TokenManagerDisposedError, describe, signedOutReason } from "./errors";
import { tokenEvent, type SignedOutEvent } from "./events";
import { HotPath } from "./hot-path";
import type { ResolvedOptions } from "./options";
import { Reporter } from "./reporter";
import { callerWaitMs, nextTry, planRetry, retryAfterOf, roundOver } from "./retry";
import { NO_FAILURES, snapshotOf, type Failures, type TokenSnapshot } from "./snapshot";
import { callerError, dueOnSignal, live, timerOf, tooShortForCaller, usable } from "./state";
import type { Fetching, State } from "./state";
import { InFlight } from "./in-flight";
import type { FetchReason } from "./token-fetcher";
import { TokenIntake, type TakenIn } from "./token-intake";
import type { Logger, OutsideSignal } from "./types";
import { settleAll, wait, type Waiter } from "./waiters";

// 5_000 ms (written out where used: tsup emits module constants as `var`s, which a consumer's minifier cannot
// inline) is both the timer's longest sleep (a missed deadline, after sleep or throttling, is seen within
// 5 s) and the lateness that makes a timer's fetch reason "wake".

/** One manager's state machine. Its inputs: demand (`fetch`, `wait`), `start`, `serve`, `end`, `notify`, timer. */
export class StateMachine {
  /** Events, `subscribe()` listeners, logs and warnings. */
  readonly events: Reporter;
  /** The cached `getToken()`'s copy of the held token, refreshed on every reading of the time line. */
  readonly hot = new HotPath();
  /** What the tokens taught: this clock's skew, the issuer's habits (its validity `ceiling`). */
  readonly intake: TokenIntake;
  /** The longest a caller without a valid token waits for the next try (ms; see `callerWaitMs`). */
  readonly callerWaitMs: number;
  readonly #options: ResolvedOptions;
  readonly #clock: Clock;
  readonly #time: Timeline;
  readonly #timer: DeadlineTimer;
  readonly #waiters = new Set<Waiter>();
  /** The app's fetcher call that has not settled yet (a new one waits for it, up to its deadline). */
  readonly #inFlight = new InFlight();
  #state!: State;
  #snapshot!: TokenSnapshot;
  #failures: Failures = NO_FAILURES;
  /** `notify("offline")` came last: failures spend no attempt, and the next try waits for `"online"`. */
  #offline = false;

  constructor(options: ResolvedOptions, clock: Clock, logger: Logger | undefined) {
    this.#options = options;
    this.#clock = clock;
    this.callerWaitMs = callerWaitMs(options);
    this.events = new Reporter(logger);
    this.#time = new Timeline(clock);
    this.intake = new TokenIntake(options, this.#time, () => clock.random());
    this.#timer = new DeadlineTimer(clock, 5_000, () => this.now());
    this.#transition({ status: "idle" }); // nobody listens yet: this only builds the first snapshot
  }

  get state(): State {
    return this.#state;
  }

  get snapshot(): TokenSnapshot {
    return this.#snapshot;
  }

  /** The time line's now (its jumps are noted on it for the skew estimate); refreshes the hot path's copy. */
  now(): number {
    const time = this.#time;
    const now = time.now();
    // Without a monotonic clock, a timer late by the wall clock is the only sign of a forward jump (or a sleep).
    // A reading sees it before the timer fires: a call right after the jump must not take the jump for age.
    if (!this.#clock.monotonicNow) time.jumped += this.#timer.overdue(now, 5_000);
    this.hot.update(this.#state?.token, time);
    return now;
  }

  /** Leave `idle` or `signedOut` (fetch now); no-op while running. @throws TokenManagerDisposedError */
  start(): void {
    const state = this.#state;
    switch (state.status) {
      case "disposed":
        throw new TokenManagerDisposedError();
      case "signedOut":
        // Signed out, no timer watched the wall clock: without a monotonic clock a jump went unseen.
        if (!this.#clock.monotonicNow) this.intake.skew.forgetSamples();
        this.fetch("initial", 1);
        return;
      case "idle":
        this.fetch("initial", 1);
        return;
      case "fetching":
      case "valid":
      case "retrying":
        return; // already running
      default:
        state satisfies never;
    }
  }

  /** An outside signal: bring a due fetch forward; `"offline"`/`"online"` also set the network's state. */
  notify(signal: OutsideSignal): void {
    if (signal === "offline" || signal === "online") this.#offline = signal === "offline";
    const now = this.now();
    if (signal === "offline") return;
    const attempt = dueOnSignal(this.#state, signal, now);
    if (attempt !== null) this.fetch(signal, attempt);
  }

  /** Wait for the next settled fetch (see `waiters.ts`); `then` runs once the caller waits. */
  wait(minValidityMs: number | undefined, signal: AbortSignal | undefined, then: () => void): Promise<string | null> {
    return wait(this.#waiters, this.#timer, minValidityMs, signal, then);
  }

  /** Start a fetch (single-flight: none while one is in flight); `"forced"` when the valid state says so. */
  fetch(why: FetchReason, attempt: number): void {
    const previous = this.#state;
    if (previous.status === "fetching") return;
    const reason = previous.status === "valid" && previous.force ? "forced" : why;
    const now = this.now();
    const controller = new AbortController();
    // A previous call the app's fetcher has not settled (it ignored its aborted signal): wait for it, up to its
    // deadline (invariant 2). The timer then means "call now".
    const busyUntil = this.#inFlight.busyUntil(now);
    const queued = busyUntil !== undefined;
    // This object is the fetch's identity: any later transition replaces it, and a late result is discarded.
    const deadline = busyUntil ?? now + this.#options.fetchTimeoutMs;
    const token = live(previous.token, now);
    const state: Fetching = { status: "fetching", token, reason, attempt, controller, deadline, queued };
    this.#transition(state);
    if (this.#state === state) this.events.emit("refreshing", { reason, attempt });
    if (this.#state !== state) return; // a listener signed out or disposed: no fetch starts
    if (queued) this.#inFlight.whenSettled(() => this.#state === state && this.#call(state));
    else this.#call(state);
  }

  /**
   * Sign out (`reason` given: resolve waiters with null) or dispose (reject them): abort the fetch in flight,
   * enter the terminal state, settle every waiter. A dispatch of events under way stops (no token reaches a
   * listener after this).
   */
  end(reason?: SignedOutEvent["reason"]): void {
    const failure = reason ? null : new TokenManagerDisposedError();
    const previous = this.#state;
    this.events.stopDispatch();
    this.intake.forget();
    this.#transition(reason ? { status: "signedOut" } : { status: "disposed" });
    if (previous.status === "fetching")
      this.events.guard(
        "A listener on the fetch's `signal` (in the app's `fetchToken`)",
        () => previous.controller.abort(reason ? signedOutReason(reason) : failure),
        "The fetch was aborted all the same: fix that listener so it does not throw.",
      );
    settleAll(this.#waiters, this.#timer, (waiter) => waiter.settle(null, failure));
    if (reason) this.events.emit("signedOut", { reason });
  }

  /** Call the app's fetcher for `fetch`; a fetch that was queued begins now, with a deadline of its own. */
  #call(fetch: Fetching): void {
    let state = fetch;
    if (fetch.queued) {
      state = { ...fetch, queued: false, deadline: this.now() + this.#options.fetchTimeoutMs };
      this.#transition(state);
    }
    const { controller, reason, attempt, deadline } = state;
    this.events.log("debug", `calling fetchToken (reason "${reason}", attempt ${attempt})`);
    const context = { signal: controller.signal, reason, attempt };
    this.#inFlight.call(this.#options.fetchToken, context, deadline, (ok, value) =>
      this.#onFetchSettled(state, ok, value),
    );
  }

  #onFetchSettled(state: Fetching, ok: boolean, value: unknown): void {
    // Overtaken by signOut(), dispose() or the timeout: drop it (invariant 3).
    if (this.#state !== state)
      this.events.emit("discarded", { outcome: !ok ? "error" : value === null ? "null" : "token" });
    else if (!ok) this.#onFetchFailed(state, value);
    else if (value === null) this.end("fetcher");
    else this.#onTokenFetched(state, value);
  }

  /** The fetch got a token (or something in its place): hold it, or retry. */
  #onTokenFetched(state: Fetching, value: unknown): void {
    const now = this.now();
    const intake = this.intake.take(value, now, state);
    for (const [code, message] of intake.warnings) this.events.warn(code, message);
    // A warning listener may have signed out meanwhile.
    if (this.#state !== state) this.events.emit("discarded", { outcome: "token" });
    else if (intake.held) this.serve(state.reason, intake, now);
    else this.#onFetchFailed(state, intake.failure, intake.keep);
  }

  /**
   * Hold the token taken in (announced when `fresh`; its refresh `"forced"` when `force`), and hand it to the
   * waiting callers. A fetched token's move, and a server's (`hydrate.ts`).
   */
  serve(reason: FetchReason, { held, fresh, force }: Omit<TakenIn, "warnings">, now: number): void {
    this.#failures = NO_FAILURES;
    this.#transition({ status: "valid", token: held, force });
    // A "state" or subscribe() listener may have signed out during the transition: announce nothing then.
    if (fresh && this.#state.token === held) this.events.emit("token", tokenEvent(reason, held, this.#time));
    if (this.#state.token !== held) return; // a token listener signed out (its waiters are settled)
    settleAll(this.#waiters, this.#timer, ({ minValidityMs, settle }) =>
      settle(
        held.raw,
        usable(held, now, minValidityMs)
          ? undefined
          : tooShortForCaller(held.expiresAt - now, minValidityMs!, held.raw),
      ),
    );
  }

  /** A failed fetch: plan the next try, and give the waiting callers the error if they must not wait. */
  #onFetchFailed({ attempt: tried, token }: Fetching, error: unknown, keep = token): void {
    const retryable = !!this.events.guard(
      "The app's `retry.shouldRetry`",
      () => this.#options.shouldRetry(error, tried),
      "The failure counts as not retryable: make `retry.shouldRetry` return a boolean without throwing.",
    );
    const offline = this.#offline;
    const now = this.now();
    const failure = { retryable, offline, retryAfterMs: retryAfterOf(error) }; // Retry-After capped at 1 h
    const { attempt, delayMs, failFast } = planRetry(tried, failure, this.#options, () => this.#clock.random());
    const held = live(keep, now);
    const retryAt = offline ? Infinity : now + delayMs;
    // The error event's and the snapshot's `exhausted` (callers asking now get the error at once).
    this.#failures = { count: this.#failures.count + 1, last: error, exhausted: failFast };
    // Callers who ask later wait for the next try once it falls due within `callerWaitMs`, unless the round is over.
    const over = roundOver(attempt, failure, this.#options);
    this.#transition({ status: "retrying", token: held, attempt, error, retryAt, roundOver: over });
    this.events.log(
      "warn",
      `fetchToken attempt ${tried} failed: ${describe(error)}. ${nextTry(retryable, offline, delayMs)}`,
    );
    const servingToken = !!held && now < held.serveUntil;
    const wallRetryAt = this.#time.toWall(retryAt);
    this.events.emit("error", { error, attempt: tried, retryAt: wallRetryAt, exhausted: failFast, servingToken });
    if (failFast && this.#state.status === "retrying") {
      const rejection = callerError(error, tried);
      settleAll(this.#waiters, this.#timer, (waiter) => waiter.settle(null, rejection));
    }
  }

  #onTimer = (lateByMs: number): void => {
    const state = this.#state;
    const late = lateByMs > 5_000;
    // Without a monotonic clock a late timer is the only sign of a forward jump (or a sleep).
    if (late && !this.#clock.monotonicNow) this.#time.jumped += lateByMs;
    switch (state.status) {
      case "fetching": {
        if (state.queued) {
          this.#call(state); // the previous call's deadline passed: call the fetcher now
          return;
        }
        const timeout = new TokenFetchTimeoutError(this.#options.fetchTimeoutMs);
        state.controller.abort(timeout);
        this.#onFetchFailed(state, timeout);
        return;
      }
      case "valid":
        this.fetch(late ? "wake" : "scheduled", 1);
        return;
      case "retrying":
        // Fired for the held token's expiry, before the next try: stop holding it.
        if (state.token && this.now() < state.retryAt) this.#transition({ ...state, token: undefined });
        else this.fetch(late ? "wake" : "retry", state.attempt + 1);
        return;
      case "idle":
      case "signedOut":
      case "disposed":
        return; // no timer is armed in these states
      default:
        state satisfies never;
    }
  };

  /** The only place the state changes: re-arm the one timer, rebuild the snapshot, publish it. */
  #transition(next: State): void {
    this.#state = next;
    const at = timerOf(next);
    if (at === null) this.#timer.clear();
    else this.#timer.set(at, this.#onTimer);
    this.now(); // refresh the hot path's copy
    this.#snapshot = snapshotOf(next, this.#time, this.#failures, this.intake.skew.ms);
    this.events.publish(this.#snapshot);
  }
}
