/**
 * `SkewEstimate`: how far this clock is from the issuer's, as the manager has estimated it from the tokens'
 * `iat` (the maths is in `accept.ts` and `schedule.ts`; this keeps what it needs from one token to the next).
 *
 * @module
 */

/**
 * The skew estimate of one manager: the samples `receivedAt − iat` (on the time line, one per distinct
 * token, the last five), the tokens seen lately (one handed back again adds no sample), and the estimate
 * itself, which the snapshot shows as `clockSkewMs`.
 */
export class SkewEstimate {
  /** `receivedAt − iat` of the last distinct tokens (ms on the time line). */
  samples: readonly number[] = [];
  /** This clock's offset from the issuer's (ms; positive: ahead); 0 while within 5 s. */
  ms = 0;
  /** The tokens seen lately, each with when it first arrived (on the time line). */
  #seen: readonly (readonly [raw: string, receivedAt: number])[] = [];

  /** Whether this very token was seen lately (then it adds no sample). */
  readonly known = (raw: string): boolean => this.firstSeen(raw) !== undefined;

  /** When this very token first arrived (on the time line), if it was seen lately. */
  readonly firstSeen = (raw: string): number | undefined => this.#seen.find(([seen]) => seen === raw)?.[1];

  /** Keep the samples `acceptToken` returned for the token `raw`, and remember the token, received at `at`. */
  record(samples: readonly number[], raw: string, at = 0): void {
    this.samples = samples;
    if (!this.known(raw)) this.#seen = [...this.#seen, [raw, at] as const].slice(-5);
  }

  /**
   * Take a new estimate (`null`: beyond `maxClockSkewMs`, where no estimate is trusted and the old one
   * stands). Returns true when it changed to a non-zero offset: the app is told (a warning).
   */
  revise(ms: number | null): boolean {
    if (ms === null || ms === this.ms) return false;
    this.ms = ms;
    return ms !== 0;
  }

  /** Forget the tokens seen (sign-out, dispose); the samples stand: the clocks have not changed. */
  forgetTokens(): void {
    this.#seen = [];
  }

  /**
   * Forget the samples: nothing watched the clocks (a manager without a monotonic clock, signed out, arms no
   * timer to see the wall clock jump), so the next token is a first contact. The estimate stands until then.
   */
  forgetSamples(): void {
    this.samples = [];
  }
}
