/**
 * What the cross-tab coordinator needs of the browser (Web Locks, BroadcastChannel), where to find it, and
 * the messages the tabs of one key exchange on their channel.
 *
 * @module
 */

/** The part of a `BroadcastChannel` the coordinator uses. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  close(): void;
}

/** What the coordinator needs of the browser; injectable for tests. */
export interface CrossTabEnvironment {
  /**
   * `navigator.locks`. `query` tells a joining tab whether any other tab of its key is open; without it, the
   * tab asks the others every time and waits for their answer (bounded).
   */
  locks: Pick<LockManager, "request"> & Partial<Pick<LockManager, "query">>;
  /** `(name) => new BroadcastChannel(name)`. */
  openChannel(name: string): ChannelLike;
}

/** The browser's Web Locks and BroadcastChannel, or undefined where either is missing (single-tab then). */
export function detectCrossTabEnvironment(): CrossTabEnvironment | undefined {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  if (!locks || typeof BroadcastChannel !== "function") return undefined;
  return { locks, openChannel: (name) => new BroadcastChannel(name) };
}

/**
 * A message between the tabs of one key, as read off the channel:
 * - `token`: a tab fetched this token (every other tab may adopt it);
 * - `signOut`: a tab signed out (every other tab signs out);
 * - `ask`: a tab that holds no token asks for one (`id` names the question);
 * - `answer`: one tab's answer to the question `to`: its token, valid for `validForMs` more when it was sent.
 * On the wire each is a flat object with `key`, so that tabs of an older version read an answer as a token.
 */
export type CrossTabMessage =
  | { kind: "token"; token: string }
  | { kind: "signOut" }
  | { kind: "ask"; id: string }
  | { kind: "answer"; to: string; token: string; validForMs: number };

/** The message `data` means for the tabs of `key`; undefined for another key's message or anything else. */
export function readMessage(data: unknown, key: string): CrossTabMessage | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const { key: of, token, signOut, ask, to, validForMs } = data as Record<string, unknown>;
  if (of !== key) return undefined;
  if (signOut) return { kind: "signOut" };
  if (typeof ask === "string") return { kind: "ask", id: ask };
  if (typeof token !== "string") return undefined;
  if (to === undefined) return { kind: "token", token };
  if (typeof to !== "string" || typeof validForMs !== "number" || !(validForMs > 0)) return undefined;
  return { kind: "answer", to, token, validForMs };
}
