/**
 * `InFlight`: the app's fetcher call of one manager that has not settled yet. The manager cannot stop the app's
 * code: a fetcher that ignores its aborted `signal` (after `signOut()`, say) keeps running. So a new call waits
 * for the last one to settle, up to that call's own deadline (`fetchTimeoutMs` after it began); past it, the
 * call is abandoned (its late result is dropped anyway) and no longer counts (invariant 2).
 *
 * @module
 */
import { callFetcher, type FetchContext, type TokenFetcher } from "./token-fetcher";

/** The last fetcher call while it has not settled, and its deadline (on the manager's time line). */
export class InFlight {
  #last: { readonly settled: Promise<void>; readonly deadline: number } | undefined;

  /** The deadline of the last call if it has not settled and is not past it at `now`; a new call waits. */
  busyUntil(now: number): number | undefined {
    const last = this.#last;
    return last && now < last.deadline ? last.deadline : undefined;
  }

  /** Run `then` once the last call has settled (at once, a microtask later, when none is in flight). */
  whenSettled(then: () => void): void {
    void (this.#last?.settled ?? Promise.resolve()).then(then);
  }

  /**
   * Call the app's `fetchToken` with `context`; `onSettled` gets its outcome. The call counts as in flight
   * until it settles (or `deadline` passes).
   */
  call(
    fetchToken: TokenFetcher,
    context: FetchContext,
    deadline: number,
    onSettled: (ok: boolean, value: unknown) => void,
  ): void {
    const settled = callFetcher(fetchToken, context).then(
      (result) => onSettled(true, result),
      (error: unknown) => onSettled(false, error),
    );
    const last = { settled, deadline };
    this.#last = last;
    const clear = () => {
      if (this.#last === last) this.#last = undefined;
    };
    void settled.then(clear, clear);
  }
}
