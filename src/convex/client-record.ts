/**
 * `ClientRecord`: what a fetcher knows of the one Convex client it answers (shared by both fetchers).
 *
 * @module
 */
import type { TokenSnapshot } from "../core/types";
import { type AskSituation, howConvexAsked, refetchDueAfterHandOver } from "./ask-situation";

/** One call of Convex's that the fetcher answers. */
export interface ClientCall {
  /** How Convex asked (a call with `forceRefreshToken: false` is always its start). */
  readonly how: AskSituation;
  /**
   * Aborts when the call no longer matters: Convex asked again (it drops the answer of every call but its
   * latest), or nothing uses the fetcher any more.
   */
  readonly superseded: AbortSignal;
}

/**
 * The client's side of the conversation: the token it holds (the answers Convex took), whether the server
 * rejected it, whether Convex is starting (`setConfig` asks unforced, then forced), when its own refetch
 * falls due, and the call Convex is waiting on.
 */
export class ClientRecord {
  /** The token the client holds: the last answer Convex took (`null`: none). */
  held: string | null = null;
  /** Convex said the server rejected `held` (`onRefreshChange(true)`, convex ≥ 1.40), until it says otherwise. */
  rejected = false;
  readonly #leewayMs: number;
  #starting = false;
  #refetchDueFrom: number | null = null;
  #current: AbortController | null = null;

  /** @param leewayMs The client's `authRefreshTokenLeewaySeconds`, in ms. */
  constructor(leewayMs: number) {
    this.#leewayMs = leewayMs;
  }

  /** Convex is waiting on a call. */
  get answering(): boolean {
    return this.#current !== null;
  }

  /** Convex asked (at `now`, epoch ms): tell how, and supersede the call it asked before. */
  ask(forced: boolean, now: number): ClientCall {
    this.#current?.abort();
    const current = new AbortController();
    this.#current = current;
    let how: AskSituation = "start";
    if (forced) {
      const clues = { starting: this.#starting, rejected: this.rejected, refetchDueFrom: this.#refetchDueFrom, now };
      how = howConvexAsked(clues);
    }
    this.#starting = !forced;
    return { how, superseded: current.signal };
  }

  /**
   * Record the answer Convex got for `call` (at `now`; `times` are the manager's, for a token it handed),
   * unless a later call superseded it. An unforced call's `null` changes nothing on the client.
   */
  answered(
    call: ClientCall,
    forced: boolean,
    answer: string | null,
    now: number,
    times: Pick<TokenSnapshot, "issuedAt" | "expiresAt">,
  ): void {
    if (call.superseded.aborted) return;
    this.#current = null;
    if (!forced) return;
    if (answer === null || (call.how === "rejected" && answer === this.held)) {
      // Convex clears its auth (its own token again after a rejection is a failure too): a push is the way back.
      this.held = null;
      this.rejected = false;
    } else if (answer !== this.held) {
      this.held = answer;
      this.#refetchDueFrom = refetchDueAfterHandOver(now, times, this.#leewayMs);
    }
  }

  /** Nothing uses the fetcher any more: the call under way answers `null`, and the client holds nothing. */
  release(): void {
    this.#current?.abort();
    this.#current = null;
    this.held = null;
  }
}
