/**
 * `TokenManager`: the public face of one token manager. It serves the cached token on the hot path, answers
 * `getToken()` and `peekToken()` from the state, and hands every change to its {@link StateMachine}
 * (`state-machine.ts`), which holds the states and moves between them.
 *
 * @module
 */
import { clockWith, type Clock } from "./clock";
import { TokenManagerDisposedError, describe } from "./errors";
import type { TokenManagerEvents } from "./events";
import type { HotPath } from "./hot-path";
import { hydrate } from "./hydrate";
import { mustBe, validateOptions, type TokenManagerOptions } from "./options";
import { callerError, demandReason, failsFast, tooShortForCaller, usable } from "./state";
import { StateMachine } from "./state-machine";
import type { GetTokenOptions, OutsideSignal, TokenSnapshot } from "./types";
import type { TokenSource } from "./token-source";

export type { TokenManagerOptions } from "./options";

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
  readonly #clock: Clock;
  readonly #machine: StateMachine;
  readonly #hot: HotPath;
  /**
   * How long one fetcher call may run before it is aborted, in ms: the `fetchTimeoutMs` option (default
   * 10,000). The Convex adapter waits this long for a token while Convex's socket is paused or stopped.
   *
   * @example
   * createTokenManager({ fetchToken, fetchTimeoutMs: 3_000 }).fetchTimeoutMs; // 3000
   */
  readonly fetchTimeoutMs: number;

  /** @throws TypeError naming the option, for a bad option. */
  constructor(options: TokenManagerOptions) {
    const resolved = validateOptions(options);
    this.fetchTimeoutMs = resolved.fetchTimeoutMs;
    this.#clock = clockWith(options.clock);
    this.#machine = new StateMachine(resolved, this.#clock, options.logger);
    this.#hot = this.#machine.hot;
    if (options.initialToken !== undefined) hydrate(this.#machine, options.initialToken);
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
    const token = this.#machine.state.token;
    return token !== undefined && this.#machine.now() < token.serveUntil ? token.raw : null;
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
    this.#machine.start();
  }

  /**
   * Start an idle manager from the token a server rendered the page with, instead of fetching (server
   * rendering: the browser's manager adopts the request's token). A token that passes the normal acceptance
   * and can still be served makes the manager `valid` (a `token` event, reason `"initial"`; no fetch; its
   * refresh planned as usual). One that is malformed, expired, not yet valid, for another `issuer` or
   * `applicationID`, or too close to expiry to serve is dropped with warning `WARN_INITIAL_TOKEN_DROPPED`, and
   * the manager stays `idle`: its first use fetches. `null` (the server knows there is no session) signs the
   * manager out: nothing is fetched until `start()`.
   *
   * Only an `idle` manager is changed: once it runs, or was signed out, it keeps its own state (a stale
   * server token can never undo a sign-out). The same as the `initialToken` option, for a manager created
   * before the server's token is known (one per browser tab, outside React). Never fetches.
   *
   * @throws TokenManagerDisposedError after `dispose()`.
   * @example
   * const tokens = createTokenManager({ fetchToken });   // created once, outside React
   * tokens.hydrate(tokenFromTheServer);                  // in the browser, before anything uses it
   */
  hydrate(initialToken: string | null): void {
    hydrate(this.#machine, initialToken);
  }

  /**
   * Sign out: drop the token, abort the fetch in flight (its late result is discarded), stop the timer, and
   * resolve pending `getToken()` calls with `null`. Until `start()`, `getToken()` resolves `null`.
   */
  signOut(): void {
    const { status } = this.#machine.state;
    if (status !== "disposed" && status !== "signedOut") this.#machine.end("signOut");
  }

  /** Stop for good: abort the fetch in flight, clear the timer, reject pending calls, drop all listeners. */
  dispose(): void {
    if (this.#machine.state.status !== "disposed") {
      this.#machine.end();
      this.#machine.events.clear();
    }
  }

  /** The current snapshot: the same object until something changes. */
  getSnapshot = (): TokenSnapshot => this.#machine.snapshot;

  /** Be called after every change of the snapshot. Returns the unsubscribe function. */
  subscribe = (listener: () => void): (() => void) => this.#machine.events.subscribe(listener);

  /** Listen to an event. Each listener is guarded: one that throws is logged and the others still run. */
  on<E extends keyof TokenManagerEvents>(event: E, listener: TokenManagerEvents[E]): this {
    this.#machine.events.on(event, listener);
    return this;
  }

  /** Listen to the next occurrence of an event only. */
  once<E extends keyof TokenManagerEvents>(event: E, listener: TokenManagerEvents[E]): this {
    this.#machine.events.on(event, listener, true);
    return this;
  }

  /** Stop listening. */
  off<E extends keyof TokenManagerEvents>(event: E, listener: TokenManagerEvents[E]): this {
    this.#machine.events.off(event, listener);
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
      this.#machine.notify(signal);
    } catch (error) {
      const line = `notify("${signal}") threw: ${describe(error)}. The manager carried on`;
      this.#machine.events.log("error", `${line}; this is a bug in convex-custom-jwt: please report it.`);
    }
  }

  /** `getToken()` when the hot path cannot answer: serve, fail fast, or wait for the fetch this starts. */
  async #getTokenSlow({ forceRefresh, minValidityMs, signal }: GetTokenOptions): Promise<string | null> {
    if (!((minValidityMs ?? 0) >= 0))
      mustBe("`getToken({ minValidityMs })`", "a number of milliseconds >= 0", minValidityMs);
    const machine = this.#machine;
    const state = machine.state;
    const { status, token } = state;
    if (status === "disposed") throw new TokenManagerDisposedError();
    signal?.throwIfAborted();
    if (status === "signedOut") return null;

    const now = machine.now();
    if (!forceRefresh && token && usable(token, now, minValidityMs)) {
      // Past its refresh point but the timer has not fired (throttled tab, blocked loop): refresh now.
      if (status === "valid" && now >= token.refreshAt) machine.fetch("scheduled", 1);
      return token.raw;
    }
    // The issuer's last new token could not meet this: fail fast instead of fetching on every call.
    const { ceiling } = machine.intake.habits;
    if (!forceRefresh && minValidityMs! > ceiling) throw tooShortForCaller(ceiling, minValidityMs!, token?.raw ?? "");
    // Never bypass backoff on demand (no storms): wait for the planned retry if it falls due soon, or fail fast.
    if (state.status === "retrying" && failsFast(state, now, machine.callerWaitMs))
      throw callerError(state.error, state.attempt);
    return machine.wait(minValidityMs, signal, () => {
      const reason = demandReason(status, forceRefresh);
      if (reason) machine.fetch(reason, 1);
    });
  }
}
