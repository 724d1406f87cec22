/**
 * `runAnswer`: carry out the answer strategy `chooseAnswer` picked.
 *
 * @module
 */
import type { AnswerStrategy } from "./answer-policy";
import { nextToken } from "./next-token";
import type { TokenSource } from "./types";

/**
 * Carry out `strategy` against the manager. `offered` is the manager's token the strategy was chosen on,
 * `held` the client's; `signal` (optional) is the fetcher's deadline: waits and fetches stop at it (the
 * shared fetch itself goes on for the manager's other callers). Rejects only when the manager's
 * `getToken()` does.
 */
export function runAnswer(
  strategy: AnswerStrategy,
  manager: TokenSource,
  offered: string | null,
  held: string | null,
  signal?: AbortSignal,
): Promise<string | null> {
  switch (strategy) {
    case "answerNull":
      return Promise.resolve(null);
    case "handOver":
      return Promise.resolve(offered);
    case "awaitRotation":
      return nextToken(manager, held, signal);
    case "getToken":
      return manager.getToken({ forceRefresh: false, signal });
    case "forceRefresh":
      return manager.getToken({ forceRefresh: true, signal });
  }
}
