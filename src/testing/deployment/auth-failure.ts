/**
 * `AuthFailure`: the backend's `ErrorMetadata::unauthenticated(code, message)`, thrown by the local
 * deployment's token checks and turned into a 401 (HTTP) or an `AuthError` (socket) with the same text.
 *
 * @internal
 * @module
 */

/** A token the backend rejects: its error code (`InvalidAuthHeader`, `NoAuthProvider`…) and exact message. */
export class AuthFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
