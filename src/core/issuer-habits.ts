/**
 * `IssuerHabits`: what the manager has learnt about how its issuer renews tokens. A caching issuer (an SDK's
 * `getToken()`, a token endpoint with a cache) hands the held token back until it is close to `exp`, unless the
 * fetch is `"forced"`: each such fetch is one stale try, the next one is a backoff step later (never a loop)
 * and `"forced"`. Once a forced try brings a later token, every planned refresh is forced (one fetch per
 * rotation); an issuer that ignores `"forced"` is searched instead: once a later-expiring token comes, how
 * close to `exp` the issuer minted it is where the next refresh aims.
 *
 * @module
 */
import { backoffCeiling, type ResolvedRetryPolicy } from "./retry";
import type { Held } from "./state";
import type { FetchReason } from "./token-fetcher";

/** What the manager learnt about its issuer, and where (and how) it aims the next refresh because of it. */
export class IssuerHabits {
  /** Validity at receipt of the issuer's last new token (ms): a caller asking for more fails fast. */
  ceiling = Infinity;
  /**
   * Whether the next planned try is `"forced"`: a try that was not got the held token back (a cache that a
   * forced call bypasses), or the issuer was seen to mint again when forced after such a try.
   */
  forceNext = false;
  /** Consecutive fetches that brought no later-expiring token. */
  #stale = 0;
  /** How close to `exp` the issuer was seen to mint again unforced (ms on the time line; 0: not seen). */
  #remint = 0;
  /** The issuer minted when forced after handing back its cached token; false again if it ignores `"forced"`. */
  #mintsWhenForced = false;
  /** A forced try got the held token back: forcing does not help with this issuer. */
  #ignoresForced = false;
  readonly #policy: Pick<ResolvedRetryPolicy, "baseDelayMs" | "maxDelayMs">;

  /** The backoff steps of stale tries follow `policy` (`retry.baseDelayMs`, `retry.maxDelayMs`). */
  constructor(policy: Pick<ResolvedRetryPolicy, "baseDelayMs" | "maxDelayMs">) {
    this.#policy = policy;
  }

  /**
   * `held`, the token kept after a fetch for `reason` made while `previous` was held, with its refresh
   * re-planned by what the fetch taught (and {@link forceNext} set). `random()` is read only for a stale try.
   */
  plan(held: Held, previous: Held | undefined, now: number, random: () => number, reason?: FetchReason): Held {
    const forced = reason === "forced";
    if (!previous || held.exp > previous.exp) return this.#renewed(held, previous, now, forced);
    // The held token again (or one expiring no later): try again halfway to the end of serving (a search for
    // where the issuer mints again), one backoff step on at least, and before it stops being servable. That
    // try is forced unless this one was, or forcing was seen not to help.
    if (forced) {
      this.#ignoresForced = true;
      this.#mintsWhenForced = false;
    }
    this.forceNext = !forced && !this.#ignoresForced;
    const step = backoffCeiling(++this.#stale, this.#policy);
    const refreshAt = now + Math.max(step * (0.5 + random() / 2), (held.serveUntil - now) / 2);
    return { ...held, refreshAt: Math.min(held.serveUntil, refreshAt) };
  }

  /** Forget the stale tries (sign-out, dispose); what was learnt about the issuer stands. */
  forgetTries(): void {
    this.#stale = 0;
  }

  /**
   * A later-expiring token. After stale tries, a forced try that brought it means the issuer mints when forced:
   * force every planned refresh. An unforced one tells how close to `exp` the issuer mints again: aim there.
   */
  #renewed(held: Held, previous: Held | undefined, now: number, forced: boolean): Held {
    if (this.#stale && previous) {
      if (forced) {
        this.#mintsWhenForced = true;
        this.#ignoresForced = false;
      } else {
        this.#remint = previous.expiresAt - now;
      }
    }
    this.#stale = 0;
    this.ceiling = held.expiresAt - now;
    this.forceNext = this.#mintsWhenForced;
    if (!this.#remint || this.forceNext) return held;
    const aim = Math.max(held.refreshAt, held.expiresAt - this.#remint + 1_000);
    return { ...held, refreshAt: Math.min(held.serveUntil, aim) };
  }
}
