/**
 * `createTokenManager`: the entry point apps call. Kept apart from the state machine so that defaults
 * a platform wants (browser signals, cross-tab sharing) can be wired here without touching it.
 *
 * @module
 */
import { TokenManager, type TokenManagerOptions } from "./token-manager";

/**
 * Create a {@link TokenManager}.
 *
 * @example
 * const tokens = createTokenManager({
 *   fetchToken: async ({ signal }) => {
 *     const res = await fetch("/api/convex-token", { signal, credentials: "include" });
 *     if (res.status === 401) return null;               // definitively signed out
 *     if (!res.ok) throw new Error(`token endpoint ${res.status}`);
 *     return (await res.json()).token;
 *   },
 * });
 * const token = await tokens.getToken();
 */
export function createTokenManager(options: TokenManagerOptions): TokenManager {
  return new TokenManager(options);
}
