/**
 * How Convex asked for a token, told from what a fetcher sees (pure): the three situations in which Convex's
 * client calls `fetchToken`, and when its own scheduled refetch of a token falls due.
 *
 * @module
 */
import type { TokenSnapshot } from "../core/types";

/**
 * The situation in which Convex asked, which says what waiting for the answer costs it:
 * - `start`: its `setConfig` (each `setAuth`, so also each rotation `connectConvex` pushes): the socket is
 *   paused until the fetcher answers, and every query waits;
 * - `scheduled`: its own refetch ahead of `exp`: the socket keeps running on the token Convex holds, so
 *   waiting costs nothing;
 * - `rejected`: the server rejected the token Convex holds (or the identity expired): the socket is stopped
 *   until the fetcher answers.
 */
export type AskSituation = "start" | "scheduled" | "rejected";

/** What a fetcher knows when a forced call comes. */
export interface AskClues {
  /** A call with `forceRefreshToken: false` came last: this is Convex's start (`setConfig` asks twice). */
  readonly starting: boolean;
  /** Convex said the server rejected its token (`onRefreshChange(true)`, convex ≥ 1.40). */
  readonly rejected: boolean;
  /** From when (epoch ms) a forced call is Convex's scheduled refetch (`null`: unknown). */
  readonly refetchDueFrom: number | null;
  /** Wall-clock time of the call, epoch ms. */
  readonly now: number;
}

/**
 * Tell how Convex asked with a forced call: its start right after the unforced call; a rejection when told
 * so; its scheduled refetch from the time it falls due; before that (or with no reckoning), a rejection:
 * that is how a rejection shows on convex < 1.40, which has no `onRefreshChange`.
 *
 * @example
 * howConvexAsked({ starting: false, rejected: false, refetchDueFrom: handedAt + 2_000, now: handedAt + 500 });
 * // "rejected": far too early for Convex's own refetch
 */
export function howConvexAsked({ starting, rejected, refetchDueFrom, now }: AskClues): AskSituation {
  if (starting) return "start";
  if (rejected) return "rejected";
  return refetchDueFrom !== null && now >= refetchDueFrom ? "scheduled" : "rejected";
}

/**
 * When Convex's own refetch of a token handed over at `handedAt` falls due, less 3 s: Convex refetches at
 * confirmation + lifetime − leeway, and confirmation comes after the hand-over. A forced call more than
 * 3 s before it is a server rejection. Unknown times count as a zero lifetime.
 *
 * @example
 * refetchDueAfterHandOver(t, { issuedAt: t, expiresAt: t + 900_000 }, 10_000); // t + 887_000
 */
export function refetchDueAfterHandOver(
  handedAt: number,
  token: Pick<TokenSnapshot, "issuedAt" | "expiresAt">,
  leewayMs: number,
): number {
  const { issuedAt, expiresAt } = token;
  const lifetimeMs = issuedAt !== null && expiresAt !== null ? expiresAt - issuedAt : 0;
  return handedAt + lifetimeMs - leewayMs - 3_000;
}
