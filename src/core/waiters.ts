/**
 * The callers waiting for a token: each leaves on its own signal's abort, and all are settled at once when
 * a fetch ends. While anyone waits, the manager's timer keeps a Node process alive.
 *
 * @module
 */
import type { DeadlineTimer } from "./clock";

export interface Waiter {
  readonly minValidityMs: number | undefined;
  /** Reject with `error` when given (always an object), else resolve with `token`. */
  readonly settle: (token: string | null, error?: unknown) => void;
}

/**
 * Add a caller to `waiters` until the next {@link settleAll} (or `signal`'s abort, which rejects with its
 * reason). `then` runs once it waits: a listener of the fetch it starts may sign out, which must settle it too.
 */
export function wait(
  waiters: Set<Waiter>,
  timer: DeadlineTimer,
  minValidityMs: number | undefined,
  signal: AbortSignal | undefined,
  then: () => void,
): Promise<string | null> {
  return new Promise<string | null>((resolve, reject) => {
    const onAbort = () => {
      waiters.delete(waiter);
      timer.keepAlive(waiters.size > 0);
      reject(signal!.reason);
    };
    const waiter: Waiter = {
      minValidityMs,
      settle: (token, error) => {
        signal?.removeEventListener("abort", onAbort);
        if (error) reject(error);
        else resolve(token);
      },
    };
    waiters.add(waiter);
    timer.keepAlive(true); // a Node process stays alive while someone waits for a token
    signal?.addEventListener("abort", onAbort, { once: true });
    then();
  });
}

/** Settle every waiter (one that starts waiting meanwhile waits for the next time). */
export function settleAll(waiters: Set<Waiter>, timer: DeadlineTimer, settle: (waiter: Waiter) => void): void {
  const all = [...waiters];
  waiters.clear();
  timer.keepAlive(false);
  for (const waiter of all) settle(waiter);
}
