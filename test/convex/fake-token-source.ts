/**
 * A hand-written `TokenSource` the tests drive directly: set what it holds, emit its events, and count the
 * listeners adapters leave on it. (The adapters depend on the structural interface only, so a fake serves.)
 */
import type { TokenManagerEvents } from "../../src/core/events";
import type { TokenSnapshot, TokenSource } from "../../src/index";

export interface FakeTokenSource extends TokenSource {
  /** Hold `token` (null: none) with these snapshot fields, and notify `subscribe()` listeners. */
  hold(token: string | null, snapshot?: Partial<TokenSnapshot>): void;
  /** Call the `on()` listeners of `event`. */
  emit(event: "token" | "signedOut"): void;
  /** `subscribe()` and `on()` registrations not yet undone. */
  live(): number;
  /** The options of each `getToken()` call. */
  readonly getTokenCalls: unknown[];
  /** What `getToken()` resolves (default: the held token). */
  answer: () => Promise<string | null>;
}

export function fakeTokenSource(): FakeTokenSource {
  let token: string | null = null;
  let snapshot: TokenSnapshot = {
    status: "idle",
    hasToken: false,
    issuedAt: null,
    expiresAt: null,
    nextFetchAt: null,
    subject: null,
    issuer: null,
    error: null,
    failures: 0,
    exhausted: false,
    clockSkewMs: 0,
  };
  const subscribers = new Set<() => void>();
  const listeners = new Map<string, Set<() => void>>();
  const source: FakeTokenSource = {
    fetchTimeoutMs: 10_000,
    getTokenCalls: [],
    answer: async () => token,
    getToken(options) {
      source.getTokenCalls.push(options);
      return source.answer();
    },
    peekToken: () => token,
    getSnapshot: () => snapshot,
    subscribe(listener) {
      subscribers.add(listener);
      return () => subscribers.delete(listener);
    },
    on<E extends keyof TokenManagerEvents>(event: E, listener: TokenManagerEvents[E]) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as () => void);
      listeners.set(event, set);
    },
    off<E extends keyof TokenManagerEvents>(event: E, listener: TokenManagerEvents[E]) {
      listeners.get(event)?.delete(listener as () => void);
    },
    signOut: () => source.hold(null, { status: "signedOut" }),
    notify: () => {},
    hold(next, fields = {}) {
      token = next;
      snapshot = { ...snapshot, status: next === null ? snapshot.status : "valid", hasToken: next !== null, ...fields };
      for (const listener of [...subscribers]) listener();
    },
    emit(event) {
      for (const listener of [...(listeners.get(event) ?? [])]) listener();
    },
    live: () => subscribers.size + [...listeners.values()].reduce((sum, set) => sum + set.size, 0),
  };
  return source;
}
