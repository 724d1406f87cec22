/**
 * `SessionEnd`: how a socket's session ends (crates/sync/src/worker.rs): an optional last message, then a
 * close. Thrown from a message handler; `Session.end` sends and closes.
 *
 * @internal
 * @module
 */
import type { ServerMessage } from "./query-set";

/** Ends a session: an optional last message, then a close (no code = the client sees 1005). */
export class SessionEnd extends Error {
  constructor(
    readonly finalMessage?: ServerMessage,
    readonly closeCode?: number,
    readonly closeReason?: string,
  ) {
    super("session end");
  }
}

/** The backend's answer to a message it cannot accept (a protocol error): close 1011 "InternalServerError". */
export const internalError = (): SessionEnd => new SessionEnd(undefined, 1011, "InternalServerError");
