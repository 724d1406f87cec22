/**
 * `reactTokenFetcher`: the `fetchAccessToken` that `useConvexCustomJwt` hands to `ConvexProviderWithAuth`.
 *
 * @module
 */
import type { TokenSource } from "../core/token-source";

/** Seconds of margin for the round trip and the backend's zero mid-session leeway. */
const YOUNG_MARGIN_MS = 5_000;

/** A stable `fetchAccessToken` plus the switch the hook flips on mount and unmount. */
export interface ReactTokenFetcher {
  (args: { forceRefreshToken: boolean }): Promise<string | null>;
  /** Count one more mounted user (returns the release function): with none, the fetcher answers `null`. */
  retain(): () => void;
}

/**
 * Convex's `AuthTokenFetcher` contract for a client that this code cannot push rotations to (it only
 * learns of them when Convex asks), so every answer must keep Convex's own schedule safe:
 *
 * - `forceRefreshToken: false` (only asked by `setAuth`) → `null`: Convex then asks again with `true`
 *   and authenticates the answer as a fresh token (one fetch, one `Authenticate`, not two).
 * - `true` → the manager's token if Convex does not hold it yet and it is young enough that Convex's
 *   refetch (confirmation + lifetime − leeway) lands before its `exp`;
 * - `true` when Convex's scheduled refetch comes before the manager's own rotation (Convex's leeway is
 *   larger than the manager's) → it waits for that rotation instead of paying a second fetch (the socket
 *   keeps running on the held token meanwhile);
 * - otherwise a newly minted token (forced refresh, single-flight in the manager).
 * - Never throws, never hangs on a signed-out manager; `null` once nothing that uses it is mounted, so
 *   Convex's scheduled refetch cannot sign an unmounted client back in.
 */
export function reactTokenFetcher(manager: TokenSource, leewaySeconds: number): ReactTokenFetcher {
  if (!(leewaySeconds >= 0)) {
    throw new TypeError(
      "useConvexCustomJwt: `authRefreshTokenLeewaySeconds` must be a number >= 0 (Convex's default is 10).",
    );
  }
  const leewayMs = leewaySeconds * 1000;
  const maxAgeMs = Math.max(0, leewayMs - YOUNG_MARGIN_MS);
  let held: string | null = null;
  let users = 0;

  /** The manager's next token, or `null` once it has none to serve. */
  const nextToken = () =>
    new Promise<string | null>((resolve) => {
      const check = () => {
        const token = manager.peekToken();
        const { status, hasToken } = manager.getSnapshot();
        if ((token !== null && token !== held) || !hasToken || status === "signedOut" || status === "disposed") {
          unsubscribe();
          resolve(token !== held ? token : null);
        }
      };
      const unsubscribe = manager.subscribe(check);
      check();
    });

  const forced = (): Promise<string | null> => {
    const token = manager.peekToken();
    const { issuedAt, expiresAt, nextFetchAt } = manager.getSnapshot();
    const now = Date.now();
    if (token !== null && token !== held && issuedAt !== null && now - issuedAt <= maxAgeMs)
      return Promise.resolve(token);
    if (
      token !== null &&
      token === held &&
      expiresAt !== null &&
      nextFetchAt !== null &&
      // Convex's scheduled refetch (it comes `leeway` before exp; a rejection comes any time and needs a new
      // token now) and the manager rotates while the held token is still good.
      expiresAt - now <= leewayMs + 1_000 &&
      nextFetchAt <= expiresAt - YOUNG_MARGIN_MS
    ) {
      return nextToken();
    }
    return manager.getToken({ forceRefresh: token !== null });
  };

  const fetcher = async ({ forceRefreshToken }: { forceRefreshToken: boolean }): Promise<string | null> => {
    if (!forceRefreshToken || users === 0) return null;
    let token: string | null;
    try {
      token = await forced();
    } catch {
      token = null; // never throw into Convex: its socket would stay paused or stopped
    }
    // Unmounted while waiting: hand nothing to a client nobody renders any more.
    held = users === 0 ? null : token;
    return held;
  };
  fetcher.retain = () => {
    users += 1;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        users -= 1;
      }
    };
  };
  return fetcher;
}
