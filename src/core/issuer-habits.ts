/**
 * `IssuerHabits`: what the manager has learnt about how its issuer renews tokens. A caching issuer hands the
 * held token back until it is close to `exp`: each such fetch is one stale try, and the next one is a backoff
 * step later (never a loop); once a later-expiring token comes, how close to `exp` the issuer minted it is
 * where the next refresh aims.
 *
 * @module
 */
import { backoffCeiling, type ResolvedRetryPolicy } from "./retry";
import type { Held } from "./state";

/** What the manager learnt about its issuer, and where it aims the next refresh because of it. */
export class IssuerHabits {
  /** Validity at receipt of the issuer's last new token (ms): a caller asking for more fails fast. */
  ceiling = Infinity;
  /** Consecutive fetches that brought no later-expiring token. */
  #stale = 0;
  /** How close to `exp` the issuer was seen to mint again (ms on the time line; 0: not seen). */
  #remint = 0;
  readonly #policy: Pick<ResolvedRetryPolicy, "baseDelayMs" | "maxDelayMs">;

  /** The backoff steps of stale tries follow `policy` (`retry.baseDelayMs`, `retry.maxDelayMs`). */
  constructor(policy: Pick<ResolvedRetryPolicy, "baseDelayMs" | "maxDelayMs">) {
    this.#policy = policy;
  }

  /**
   * `held`, the token kept after a fetch made while `previous` was held, with its refresh re-planned by what
   * the fetch taught. `random()` is read only for a stale try.
   */
  plan(held: Held, previous: Held | undefined, now: number, random: () => number): Held {
    if (!previous || held.exp > previous.exp) return this.#renewed(held, previous, now);
    // The held token again (or one expiring no later): try again halfway to the end of serving (a search for
    // where the issuer mints again), one backoff step on at least, and before it stops being servable.
    const step = backoffCeiling(++this.#stale, this.#policy);
    const refreshAt = now + Math.max(step * (0.5 + random() / 2), (held.serveUntil - now) / 2);
    return { ...held, refreshAt: Math.min(held.serveUntil, refreshAt) };
  }

  /** Forget the stale tries (sign-out, dispose); what was learnt about the issuer stands. */
  forgetTries(): void {
    this.#stale = 0;
  }

  /** A later-expiring token: after stale tries, how close to `exp` the issuer mints again; aim there. */
  #renewed(held: Held, previous: Held | undefined, now: number): Held {
    if (this.#stale && previous) this.#remint = previous.expiresAt - now;
    this.#stale = 0;
    this.ceiling = held.expiresAt - now;
    if (!this.#remint) return held;
    const aim = Math.max(held.refreshAt, held.expiresAt - this.#remint + 1_000);
    return { ...held, refreshAt: Math.min(held.serveUntil, aim) };
  }
}
