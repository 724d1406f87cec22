/**
 * `crossTabFetcher`: one token fetch per rotation for every tab of an origin that shares a key.
 *
 * It wraps the app's fetcher, outside the state machine:
 * - the Web Locks API gives one tab at a time the right to call the app's fetcher;
 * - the tab that fetched posts the token on a BroadcastChannel; the others adopt it through their
 *   manager's normal fetch path (a forced refresh that the wrapped fetcher answers with the shared token,
 *   no network call), and ignore a token that is not newer (by `iat`, then `exp`) than the one they hold;
 * - a tab waiting for the lock takes the token the holder posts instead of fetching again;
 * - lock waits are bounded (`lockWaitMs`): after that the tab fetches on its own, so a frozen or crashed
 *   holder never deadlocks the others; the holder gives the lock back when its manager aborts the fetch;
 * - sign-out (the app's `signOut()`, or the fetcher resolving `null`) in one tab signs out the others.
 * The lock and the channel are named after the key, so managers with different keys never mix.
 *
 * @module
 */
import { systemClock, type Clock } from "../core/clock";
import type { TokenFetcher } from "../core/types";
import type { TokenSource } from "../core/token-source";
import {
  type CrossTabEnvironment,
  type ChannelLike,
  detectCrossTabEnvironment,
  readMessage,
} from "./cross-tab-channel";
import { crossTabJoin } from "./cross-tab-join";
import { newer, stamp } from "./token-stamp";

/** Options of {@link crossTabFetcher}. Durations in milliseconds. */
export interface CrossTabOptions {
  /** Shared by the tabs that share tokens: name the issuer and app (and user, if tabs may differ). */
  key: string;
  /** The app's fetcher, called by one tab at a time. */
  fetchToken: TokenFetcher;
  /** Longest wait for another tab's lock before fetching anyway. @default 5_000 */
  lockWaitMs?: number;
  /**
   * Longest wait for another tab's answer when this tab holds no token yet and other tabs are open (a tab
   * alone does not wait). @default 250
   */
  joinWaitMs?: number;
  /** Time source for the waits. @default the platform clock */
  clock?: Clock;
  /** The browser APIs; detected when omitted. */
  environment?: CrossTabEnvironment;
}

/** A wrapped fetcher plus `attach`, which connects the coordinator to the manager that uses the fetcher. */
export interface CrossTab {
  fetchToken: TokenFetcher;
  /** Start adopting tokens and propagating sign-out for `manager`. Returns the teardown (closes the channel). */
  attach(manager: TokenSource): () => void;
}

/**
 * Coordinate the tabs that share `key`; `undefined` where Web Locks or BroadcastChannel are missing (the
 * manager then fetches for its own tab alone). `createTokenManager({ crossTabKey })` wires it for you.
 *
 * @example
 * const crossTab = crossTabFetcher({ key: "my-app:https://auth.example.com", fetchToken });
 * const manager = new TokenManager({ fetchToken: crossTab?.fetchToken ?? fetchToken });
 * crossTab?.attach(manager);
 */
export function crossTabFetcher(options: CrossTabOptions): CrossTab | undefined {
  const { key, fetchToken, lockWaitMs = 5_000, joinWaitMs = 250, clock = systemClock } = options;
  const env = options.environment ?? detectCrossTabEnvironment();
  if (!env) return undefined;
  const name = `convex-custom-jwt:${key}`;
  /** The newest token this tab's manager was handed (fetched here or adopted); undefined before the first. */
  let held: string | undefined;
  /** The newest token another tab posted. */
  let shared: string | undefined;
  /** Fetches waiting for the lock, woken when a token arrives. */
  const waiters = new Set<() => void>();
  let channel: ChannelLike | undefined;
  /** True while signing out on another tab's message. */
  let remote = false;

  const post = (message: object) => {
    try {
      channel?.postMessage({ key, ...message });
    } catch {
      // A closed channel (page unloading): the other tabs fetch for themselves.
    }
  };
  const join = crossTabJoin({ key, environment: env, clock, waitMs: joinWaitMs, post });

  /** The token another tab posted, if it is newer than `before` and has not expired; it becomes `held`. */
  const adoptable = (before: string | undefined) => {
    if (shared === undefined || !newer(shared, before) || stamp(shared)[1] <= clock.now() / 1000) return undefined;
    held = shared;
    return held;
  };

  /** Call the app's fetcher (given up when the manager aborts, so the lock is released) and post its token. */
  const fetchHere: TokenFetcher = async (context) => {
    const { signal } = context;
    // The context's signal lives for this one call, so its listeners need no removal.
    const result = await Promise.race([
      fetchToken(context),
      new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
    ]);
    const token = typeof result === "string" ? result : result?.token;
    held = token;
    if (token !== undefined) post({ token });
    return result;
  };

  /** Fetch under the key's lock, or take the token the lock's holder posts meanwhile. */
  const underLock: TokenFetcher = (context) => {
    const { signal } = context;
    const before = held;
    return new Promise((resolve, reject) => {
      let settled = false;
      const controller = new AbortController();
      const finish = (outcome: unknown) => {
        if (settled) return;
        settled = true;
        clock.clearTimeout(timer);
        waiters.delete(onToken);
        controller.abort(); // ends a wait for the lock; no effect once it is held
        Promise.resolve(outcome).then(resolve as (value: unknown) => void, reject);
      };
      // While waiting for the lock, the holder's token ends the wait.
      const onToken = () => {
        const token = adoptable(before);
        if (token !== undefined) finish(token);
      };
      // Bounded wait: a holder that never answers (frozen, or a fetcher that ignores its signal) cannot
      // block this tab for longer than `lockWaitMs`.
      const timer = clock.setTimeout(() => finish(fetchHere(context)), lockWaitMs);
      waiters.add(onToken);
      signal.addEventListener("abort", () => settled || finish(Promise.reject(signal.reason)));
      env.locks
        .request(name, { signal: controller.signal }, () => {
          if (settled) return;
          const run = adoptable(before) ?? fetchHere(context);
          finish(run);
          // Hold the lock a moment after posting, so that waiting tabs get the token before the lock.
          return Promise.resolve(run).then(() => new Promise<void>((done) => clock.setTimeout(done, 50)), finish);
        })
        // An aborted wait rejects here; any other failure (a broken lock manager) leaves this tab on its own.
        .catch(() => settled || finish(fetchHere(context)));
    });
  };

  const wrapped: TokenFetcher = async (context) => {
    const before = held;
    const adopted = adoptable(before);
    if (adopted !== undefined) return adopted;
    // A tab that never held a token (a new tab, one signed back in, one whose first tries failed) asks the
    // other tabs for theirs before it fetches.
    if (before === undefined && channel) {
      const answered = await join.ask(context.signal, (token) => newer(token, held));
      if (answered !== undefined) {
        held = answered;
        return answered;
      }
    }
    return underLock(context);
  };

  return {
    fetchToken: wrapped,
    attach(manager) {
      channel = env.openChannel(name);
      const leave = join.enter(manager);
      channel.addEventListener("message", ({ data }) => {
        const message = readMessage(data, key);
        switch (message?.kind) {
          case undefined:
            return;
          case "signOut":
            // Not echoed: an echo could sign out a tab that signed out and straight back in (`start()`).
            remote = true;
            manager.signOut(); // never throws: the manager guards its listeners
            remote = false;
            return;
          case "ask":
            return join.answer(message.id, manager);
          case "answer":
            return join.hear(message);
          case "token": {
            const { token } = message;
            if (!newer(token, held) || !newer(token, shared)) return;
            shared = token;
            for (const wake of waiters) wake();
            const { status } = manager.getSnapshot();
            // A running manager adopts it now, through its normal fetch path; the wrapped fetcher answers.
            if (status === "valid" || status === "retrying") manager.getToken({ forceRefresh: true }).catch(() => {});
          }
        }
      });
      const onSignedOut = () => {
        held = shared = undefined;
        if (!remote) post({ signOut: true });
      };
      manager.on("signedOut", onSignedOut);
      return () => {
        manager.off("signedOut", onSignedOut);
        leave();
        channel?.close();
        channel = undefined;
      };
    },
  };
}
