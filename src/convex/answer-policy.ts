/**
 * `chooseAnswer`: how a fetcher answers Convex's `fetchToken({ forceRefreshToken })`, as a pure function of
 * how Convex asked (its start, a scheduled refetch, after a server rejection), what the manager holds and is
 * doing, what the client holds, and whether one of the manager's `fetchTimeoutMs` has passed since Convex
 * asked. Both fetchers use it: the Convex one (`convexTokenFetcher`, under `connectConvex`) and the React one
 * (`useConvexCustomJwt`); `runAnswer` asks it again at every change until it answers.
 *
 * @module
 */
import type { TokenSnapshot } from "../core/types";
import type { AskSituation } from "./ask-situation";

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

/** What of the manager's snapshot the policy reads. */
export type ManagerState = Pick<TokenSnapshot, "status" | "exhausted" | "hasToken" | "issuedAt">;

/** What the manager holds and is doing. */
export interface ManagerView {
  /** The token it can serve now (`peekToken()`), or `null`. */
  readonly token: string | null;
  /**
   * Its snapshot: whether it is signed out or gave up for now, whether it still holds a token that has not
   * expired (perhaps too close to `exp` to serve to a new caller, still good for the socket that runs on it),
   * and when its token was issued.
   */
  readonly snapshot: ManagerState;
}

/** Everything the answer depends on. */
export interface AnswerSituation {
  readonly ask: ConvexAsk;
  /** How Convex asked (see `howConvexAsked`): what waiting costs it. */
  readonly how: AskSituation;
  readonly manager: ManagerView;
  /** The token the client holds: the fetcher's last answer Convex took (`null` when none). */
  readonly held: string | null;
  /** Wall-clock time, epoch ms. */
  readonly now: number;
  /** The client's `authRefreshTokenLeewaySeconds`, in ms. */
  readonly leewayMs: number;
  /** One of the manager's `fetchTimeoutMs` has passed since Convex asked. */
  readonly waited: boolean;
}

/**
 * What the fetcher waits for, asking the manager once:
 * - `getToken`: the manager holds no token: `manager.getToken()` starts it, or joins its fetch or next try;
 * - `forceRefresh`: a newly minted token, `manager.getToken({ forceRefresh: true })`;
 * - `rotation`: the manager's own next token (Convex's scheduled refetch came before the manager's
 *   rotation, or while it retries); nothing is asked of the manager.
 */
export type WaitFor = "getToken" | "forceRefresh" | "rotation";

/** The policy's verdict: answer Convex now (a token, or `null`), or wait and ask again at the next change. */
export type Answer = { readonly answer: string | null } | { readonly wait: WaitFor };

/**
 * Choose how to answer Convex now (pure). The rules, in order:
 *
 * | Convex asked | the manager | answer |
 * |---|---|---|
 * | not forced | anything | `null` |
 * | forced | signed out (or disposed) | `null` |
 * | forced | holds a token the client lacks, young enough | that token |
 * | its start, or a rejection (socket waits), once `waited` or `exhausted` | any | its valid token, else `null` |
 * | a scheduled refetch (socket runs), once `waited` or `exhausted` | a token the client lacks | that token |
 * | a scheduled refetch, `exhausted` | no token that has not expired | `null` |
 * | otherwise | no token | wait: `getToken` |
 * | otherwise | a token the client lacks, older | wait: `forceRefresh` |
 * | a scheduled refetch | the client's token | wait: `rotation` (never `null` while the manager tries) |
 * | its start, or after a rejection | the client's token | wait: `forceRefresh` |
 *
 * "Young enough": at most `leeway − 5 s` old, so Convex's own refetch (at confirmation + lifetime − leeway)
 * lands before `exp`. A token the client lacks is never the one it holds: a scheduled refetch is never
 * answered with the client's own token (Convex would stop refreshing). After a rejection, the manager's valid
 * token may be the client's own: Convex counts it as a failed re-authentication, like `null`, and the adapter
 * pushes the next token.
 *
 * @example
 * chooseAnswer({ ask: { forceRefreshToken: false }, ... }); // { answer: null }: Convex's start costs one fetch
 */
export function chooseAnswer(situation: AnswerSituation): Answer {
  const { ask, how, manager, held, waited } = situation;
  const { status, exhausted } = manager.snapshot;
  if (!ask.forceRefreshToken) return { answer: null };
  if (status === "signedOut" || status === "disposed") return { answer: null };
  const { token } = manager;
  const lacked = token !== null && token !== held ? token : null; // a token the client lacks
  if (lacked !== null && isYoungEnough(situation)) return { answer: lacked };
  const giveUp = waited || exhausted; // waiting longer is not worth it, or will not help
  if (how !== "scheduled") {
    if (giveUp) return { answer: token };
    return { wait: token === null ? "getToken" : "forceRefresh" };
  }
  if (giveUp && lacked !== null) return { answer: lacked };
  if (exhausted && !manager.snapshot.hasToken) return { answer: null };
  if (token === null) return { wait: "getToken" };
  return { wait: lacked !== null ? "forceRefresh" : "rotation" };
}

/** The manager's token is young enough for Convex's own refetch of it to land before its `exp`. */
function isYoungEnough({ manager, now, leewayMs }: AnswerSituation): boolean {
  const { issuedAt } = manager.snapshot;
  return issuedAt !== null && now - issuedAt <= Math.max(0, leewayMs - YOUNG_MARGIN_MS);
}

/**
 * Whether the manager is still trying to get a token: not signed out or disposed, and not `exhausted` (its
 * callers without a valid token do not get its error at once). What the UI shows as loading when no valid
 * token is held.
 *
 * @example
 * const loading = !snapshot.hasToken && isStillTrying(snapshot);
 */
export function isStillTrying(snapshot: Pick<TokenSnapshot, "status" | "exhausted">): boolean {
  const { status, exhausted } = snapshot;
  return status !== "signedOut" && status !== "disposed" && !exhausted;
}
