/**
 * `TokenIntake`: what a fetcher's answer becomes. It is accepted (`acceptToken`, pure), the skew estimate and
 * what is known of the issuer learn from it, and the token to hold is chosen and its refresh planned, or the
 * failure to retry is named. A server's token (`initialToken`, `hydrate()`) comes in here too, accepted the
 * cautious way (`acceptInitialToken`), or dropped with a warning. The manager then only moves to the state this
 * says.
 *
 * @module
 */
import { acceptToken, type Accepted } from "./accept";
import type { Timeline } from "./clock";
import { acceptInitialToken } from "./initial-token";
import { IssuerHabits } from "./issuer-habits";
import type { ResolvedOptions } from "./options";
import { SkewEstimate } from "./skew-estimate";
import { arrivedTooShort, type Fetching, type Held } from "./state";
import { clockSkew, initialTokenDropped, notRenewed, type Warning } from "./warnings";

/**
 * What a fetcher's token became: the token to hold (`fresh`: a new one, to announce; otherwise the one held,
 * handed back again; `force`: its planned refresh is to be `"forced"`), or a failure to retry with the token
 * to `keep` meanwhile. Either way, the warnings.
 */
export type Intake =
  | { readonly held: Held; readonly fresh: boolean; readonly force: boolean; readonly warnings: Warning[] }
  | {
      readonly held?: undefined;
      readonly failure: unknown;
      readonly keep: Held | undefined;
      readonly warnings: Warning[];
    };

/** A fetcher's answer taken in as a token to hold. */
export type TakenIn = Extract<Intake, { held: Held }>;

/** What a server's token became: the token to hold (announced as new), or none (dropped). Either way, the warnings. */
export interface InitialIntake {
  readonly held: Held | undefined;
  readonly warnings: Warning[];
}

/** Turns fetcher answers into held tokens, learning this clock's skew and the issuer's habits from them. */
export class TokenIntake {
  readonly skew = new SkewEstimate();
  readonly habits: IssuerHabits;
  readonly #options: ResolvedOptions;
  readonly #time: Timeline;
  readonly #random: () => number;

  /** `time` is the manager's time line (its noted jumps are settled by new tokens); `random()` gives jitter. */
  constructor(options: ResolvedOptions, time: Timeline, random: () => number) {
    this.#options = options;
    this.#time = time;
    this.#random = random;
    this.habits = new IssuerHabits(options);
  }

  /** The fetch `fetching` got `value` (not `null`) at `now` on the time line: what it becomes. Never throws. */
  take(value: unknown, now: number, fetching: Fetching): Intake {
    let accepted: Accepted;
    try {
      accepted = this.#accept(value, now);
    } catch (failure) {
      return { failure, keep: fetching.token, warnings: [] };
    }
    const warnings = accepted.warnings;
    const received = accepted.held;
    const previous = fetching.token;
    // A token to use and announce: not the one held, expiring no sooner. "Later" is what stops a loop.
    const fresh = !previous || (received.raw !== previous.raw && received.exp >= previous.exp);
    if (!fresh && fetching.reason === "forced") warnings.push(notRenewed(received.raw));
    const { habits } = this;
    const held = habits.plan(fresh ? received : previous!, previous, now, this.#random, fetching.reason);
    if (now >= held.serveUntil) {
      const failure = arrivedTooShort(held.expiresAt - now, held.expiresAt - held.serveUntil, held.raw);
      return { failure, keep: held, warnings };
    }
    return { held, fresh, force: habits.forceNext, warnings };
  }

  /**
   * The server's token `value` at `now` on the time line: held (its refresh planned as for a fetched token),
   * or dropped with `WARN_INITIAL_TOKEN_DROPPED`. It teaches the skew estimate only a "behind" offset (its age
   * is unknown), and nothing about the issuer's habits (it may have waited: its validity is no ceiling).
   * Never throws.
   */
  takeInitial(value: unknown, now: number): InitialIntake {
    let accepted: Accepted;
    try {
      accepted = acceptInitialToken(value, now, this.#options, this.#random());
    } catch (error) {
      return { held: undefined, warnings: [initialTokenDropped(error)] };
    }
    this.#learn(accepted, now);
    return { held: accepted.held, warnings: accepted.warnings };
  }

  /** Forget the tokens seen and the stale tries (sign-out, dispose); what was learnt of the clocks stands. */
  forget(): void {
    this.skew.forgetTokens();
    this.habits.forgetTries();
  }

  /** `acceptToken` with the skew estimate: its samples are kept, a change of the estimate is a warning. */
  #accept(value: unknown, now: number): Accepted {
    const { skew } = this;
    const time = this.#time;
    const accepted = acceptToken(value, now, skew.samples, skew.firstSeen, time.jumped, this.#options, this.#random());
    this.#learn(accepted, now);
    return accepted;
  }

  /**
   * Keep an accepted token's skew samples and its first receipt (`now`; a jump it settled is forgotten); a change
   * of the estimate is a warning.
   */
  #learn(accepted: Accepted, now: number): void {
    const { skew } = this;
    skew.record(accepted.samples, accepted.held.raw, now);
    if (accepted.settled) this.#time.jumped = 0;
    if (skew.revise(accepted.skewMs)) accepted.warnings.push(clockSkew(skew.ms));
  }
}
