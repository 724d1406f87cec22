/**
 * `chooseAnswer`: how a fetcher answers Convex's `fetchToken({ forceRefreshToken })`, as a pure function of
 * what Convex asked, what the manager holds, what the client holds and the time. Both fetchers use it: the
 * Convex one (`convexTokenFetcher`, under `connectConvex`) and the React one (`useConvexCustomJwt`).
 *
 * @module
 */
import type { TokenSnapshot } from "../core/types";

/**
 * Margin, in ms, for the round trip and the backend's zero mid-session leeway: a token handed to Convex
 * must outlive Convex's own refetch of it by this much.
 */
export const YOUNG_MARGIN_MS = 5_000;

/** What Convex asked. */
export interface ConvexAsk {
  /**
   * `false` on `setAuth`'s first call (Convex would use a cached token); `true` when Convex wants a token it
   * does not hold: at its start, at its scheduled refetch, or after the server rejected its token.
   */
  readonly forceRefreshToken: boolean;
}

/** The times of the manager's snapshot the policy reads (epoch ms). */
export type TokenTimes = Pick<TokenSnapshot, "issuedAt" | "expiresAt" | "nextFetchAt">;

/** What the manager holds. */
export interface ManagerView {
  /** The token it can serve now (`peekToken()`), or `null`. */
  readonly token: string | null;
  /** Its snapshot: when that token was issued and expires, and when the manager fetches next. */
  readonly snapshot: TokenTimes;
}

/** What the fetcher knows of the client it answers. */
export interface ClientView {
  /** False once nothing uses the fetcher any more (the React hook unmounted): every answer is `null`. */
  readonly active: boolean;
  /** The token the client holds: the fetcher's last answer (`null` when none). */
  readonly held: string | null;
  /** The server rejected `held` (Convex said so through `onRefreshChange`, convex ≥ 1.40). */
  readonly rejected: boolean;
  /**
   * From when (epoch ms) a forced call for `held` is Convex's own scheduled refetch rather than a server
   * rejection (`null`: unknown, a rejection). See {@link refetchDueAfterHandOver} and {@link refetchDueBeforeExpiry}.
   */
  readonly refetchDueFrom: number | null;
}

/** Everything the answer depends on. */
export interface AnswerSituation {
  readonly ask: ConvexAsk;
  readonly manager: ManagerView;
  readonly client: ClientView;
  /** Wall-clock time of the call, epoch ms. */
  readonly now: number;
  /** The client's `authRefreshTokenLeewaySeconds`, in ms. */
  readonly leewayMs: number;
  /**
   * The fetcher answers by a deadline whatever the manager does (`convexTokenFetcher`'s `answerWithinMs`).
   * Without one, it waits for a rotation only when the manager has one planned while the held token is good.
   */
  readonly waitIsBounded: boolean;
}

/**
 * How to answer:
 * - `answerNull`: resolve `null` at once, asking the manager nothing;
 * - `handOver`: the manager's current token (Convex does not hold it, and it is young enough);
 * - `awaitRotation`: wait for the manager's next token (Convex's scheduled refetch came before the manager's
 *   own rotation; the socket keeps running on the token it holds meanwhile);
 * - `getToken`: `manager.getToken()`: the manager holds no token; start its fetch or join the one in flight;
 * - `forceRefresh`: `manager.getToken({ forceRefresh: true })`: a newly minted token.
 */
export type AnswerStrategy = "answerNull" | "handOver" | "awaitRotation" | "getToken" | "forceRefresh";

/**
 * Choose how to answer Convex (pure). The rules, in order:
 *
 * | Convex asked | the manager holds | answer |
 * |---|---|---|
 * | not forced, or the client is no longer used | anything | `answerNull` |
 * | forced | no token | `getToken` |
 * | forced | a token the client lacks, young enough | `handOver` |
 * | forced | a token the client lacks, older | `forceRefresh` |
 * | forced: Convex's scheduled refetch | the client's token, and a rotation planned or a deadline | `awaitRotation` |
 * | forced: otherwise (a server rejection) | the client's token | `forceRefresh` |
 *
 * "Young enough": at most `leeway − 5 s` old, so Convex's own refetch (at confirmation + lifetime − leeway)
 * lands before `exp`. "A rotation planned": the manager's next fetch falls while the client's token is still
 * good; "a deadline": the fetcher answers by one whatever the manager does. The answer never hands Convex
 * the token it holds (Convex would stop refreshing).
 *
 * @example
 * chooseAnswer({ ask: { forceRefreshToken: false }, ... }); // "answerNull": Convex's start costs one fetch
 */
export function chooseAnswer(situation: AnswerSituation): AnswerStrategy {
  const { ask, manager, client } = situation;
  if (!ask.forceRefreshToken || !client.active) return "answerNull";
  if (manager.token === null) return "getToken";
  if (manager.token !== client.held) return isYoungEnough(situation) ? "handOver" : "forceRefresh";
  const wait = isScheduledRefetch(situation) && (situation.waitIsBounded || rotatesWhileValid(manager));
  return wait ? "awaitRotation" : "forceRefresh";
}

/** The manager's token is young enough for Convex's own refetch of it to land before its `exp`. */
function isYoungEnough({ manager, now, leewayMs }: AnswerSituation): boolean {
  const { issuedAt } = manager.snapshot;
  return issuedAt !== null && now - issuedAt <= Math.max(0, leewayMs - YOUNG_MARGIN_MS);
}

/** A forced call for the token the client holds is Convex's scheduled refetch, not a server rejection. */
function isScheduledRefetch({ client, now }: AnswerSituation): boolean {
  return !client.rejected && client.refetchDueFrom !== null && now >= client.refetchDueFrom;
}

/** The manager plans its next fetch while the held token is still good (with the young margin). */
function rotatesWhileValid({ snapshot: { expiresAt, nextFetchAt } }: ManagerView): boolean {
  return expiresAt !== null && nextFetchAt !== null && nextFetchAt <= expiresAt - YOUNG_MARGIN_MS;
}

/**
 * When Convex's own refetch of a token handed over at `handedAt` falls due, less 3 s: Convex refetches at
 * confirmation + lifetime − leeway, and confirmation comes after the hand-over. A forced call more than
 * 3 s before it is a server rejection (how a fetcher tells one on convex < 1.40, which has no
 * `onRefreshChange`). Unknown times count as a zero lifetime.
 */
export function refetchDueAfterHandOver(
  handedAt: number,
  token: Pick<TokenTimes, "issuedAt" | "expiresAt">,
  leewayMs: number,
): number {
  const { issuedAt, expiresAt } = token;
  const lifetimeMs = issuedAt !== null && expiresAt !== null ? expiresAt - issuedAt : 0;
  return handedAt + lifetimeMs - leewayMs - 3_000;
}

/**
 * When Convex's own refetch of the token it holds falls due, reckoned from that token's expiry: `leeway`
 * before `exp`, less 1 s. For a fetcher that does not record hand-overs (the React hook's); `null` when the
 * expiry is unknown.
 */
export function refetchDueBeforeExpiry(expiresAt: number | null, leewayMs: number): number | null {
  return expiresAt === null ? null : expiresAt - leewayMs - 1_000;
}
