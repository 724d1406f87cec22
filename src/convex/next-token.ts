/**
 * `nextToken`: wait for the manager's next token (the one wait loop both fetchers share).
 *
 * @module
 */
import type { TokenSource } from "./types";

/**
 * Resolve the manager's next token: the first one it can serve that is not `held`. Resolves `null` as soon
 * as there is none to wait for: the manager signed out, was disposed, or no longer holds a valid token; or
 * when `signal` aborts (the caller's deadline). Never rejects; leaves no listener behind once settled.
 *
 * @example
 * const next = await nextToken(manager, tokenConvexHolds, AbortSignal.timeout(10_000));
 */
export function nextToken(manager: TokenSource, held: string | null, signal?: AbortSignal): Promise<string | null> {
  return new Promise((resolve) => {
    const check = () => {
      const token = manager.peekToken();
      const { status, hasToken } = manager.getSnapshot();
      const arrived = token !== null && token !== held;
      const nothingToWaitFor = !hasToken || status === "signedOut" || status === "disposed";
      if (!arrived && !nothingToWaitFor && signal?.aborted !== true) return;
      unsubscribe();
      signal?.removeEventListener("abort", check);
      resolve(arrived ? token : null);
    };
    const unsubscribe = manager.subscribe(check);
    signal?.addEventListener("abort", check);
    check();
  });
}
