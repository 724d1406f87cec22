/**
 * `TokenSource`: what the adapters (Convex, React, browser signals, cross-tab) need of a token manager.
 *
 * @module
 */
import type { TokenManagerEvents } from "./events";
import type { GetTokenOptions, OutsideSignal, TokenSnapshot } from "./types";

/**
 * What adapters (Convex, React, browser signals, cross-tab) need of a token manager: a structural
 * interface, so a hand-written fake satisfies it. `TokenManager` implements it.
 */
export interface TokenSource {
  /**
   * How long one fetcher call may run before the manager aborts it, in ms (the manager's `fetchTimeoutMs`).
   * The Convex and React adapters wait this long for a token while Convex's socket is paused or stopped.
   */
  readonly fetchTimeoutMs: number;
  getToken(options?: GetTokenOptions): Promise<string | null>;
  /** The held token if it can be served now, else `null`; synchronous, never fetches. */
  peekToken(): string | null;
  getSnapshot(): TokenSnapshot;
  subscribe(listener: () => void): () => void;
  on<E extends keyof TokenManagerEvents>(event: E, listener: TokenManagerEvents[E]): unknown;
  off<E extends keyof TokenManagerEvents>(event: E, listener: TokenManagerEvents[E]): unknown;
  signOut(): void;
  /** Ask the manager to re-check its token because of an outside event. Never throws. */
  notify(signal: OutsideSignal): void;
  /**
   * Start an idle manager from the token a server rendered the page with (`null`: no session); a no-op
   * once it runs or is signed out. Optional: the React adapter calls it when given an `initialToken`.
   */
  hydrate?(initialToken: string | null): void;
}
