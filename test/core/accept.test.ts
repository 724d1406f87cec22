/**
 * Token acceptance (`acceptToken`, pure): how a fetcher's token is read on the issuer's clock. The promise it
 * keeps is "never send an expired token": every correction for a skewed clock, a whole-second `iat`, a cached
 * token's age or a clock jump errs on the side of an earlier expiry, and a token Convex would reject is refused
 * with a message that names who must act. Times: `N` is "now" on the manager's time line (a whole second).
 */
import { describe, expect, it } from "vitest";
import { acceptToken } from "../../src/core/accept";
import { InvalidTokenError } from "../../src/core/errors";
import { type TokenManagerOptions, validateOptions } from "../../src/core/options";
import { unsignedJwt } from "../../src/testing/unsigned-jwt";

const N = 1_800_000_000_000;
const S = 1000;

/** An unsigned JWT with these claims (times in ms here, written as epoch seconds, fractions kept). */
function jwt(claims: { iat?: number; exp: number; nbf?: number; iss?: string | null }): string {
  const { iat, exp, nbf, iss = "https://issuer.test" } = claims;
  return unsignedJwt({
    sub: "user_1",
    ...(iss === null ? {} : { iss }),
    ...(iat === undefined ? {} : { iat: iat / 1000 }),
    exp: exp / 1000,
    ...(nbf === undefined ? {} : { nbf: nbf / 1000 }),
  });
}

interface Context {
  samples?: number[];
  firstSeen?: (raw: string) => number | undefined;
  jumpMs?: number;
  options?: Partial<TokenManagerOptions>;
}

function accept(
  result: unknown,
  { samples = [], firstSeen = () => undefined, jumpMs = 0, options = {} }: Context = {},
) {
  const o = validateOptions({ fetchToken: async () => null, ...options });
  return acceptToken(result, N, samples, firstSeen, jumpMs, o, 0);
}

function rejection(run: () => unknown): InvalidTokenError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTokenError);
    return error as InvalidTokenError;
  }
  throw new Error("expected an InvalidTokenError");
}

const codes = (warnings: [string, string][]) => warnings.map(([code]) => code);

describe("what the fetcher returned, when it is not a token", () => {
  it("says what came instead: an object without a string `token`, or the type of the value", () => {
    expect(rejection(() => accept({ tok: "a.b.c" })).message).toContain("got an object without a string `token`");
    expect(rejection(() => accept(null)).message).toContain("got an object without a string `token`");
    const number = rejection(() => accept(42));
    expect(number.code).toBe("ERR_TOKEN_MALFORMED");
    expect(number.message).toContain("(got number)");
    expect(number.tokenHint).toBe("…"); // no token to name
    expect(rejection(() => accept(undefined)).message).toContain("(got undefined)");
  });
});

describe("a skewed clock: the token is read on the issuer's clock, never optimistically", () => {
  it("a whole-second iat may be up to 1 s early: a correction takes 1 s off (this clock 30 s ahead)", () => {
    const iat = N - 30 * S;
    const { held, skewMs } = accept(jwt({ iat, exp: iat + 900 * S }));
    expect(skewMs).toBe(30 * S);
    expect(held.expiresAt).toBe(N + 899 * S);
  });

  it("an iat with a fraction of a second is exact: nothing is taken off", () => {
    const iat = N - 29_500;
    const { held, skewMs } = accept(jwt({ iat, exp: N + 870 * S }));
    expect(skewMs).toBe(29_500);
    expect(held.expiresAt).toBe(N + 899_500);
  });

  it("a cached token 60 s old (issuer 30 s behind) expires 839 s on, not 899 s: its age counts", () => {
    const iat = N - 90 * S;
    const { held, skewMs, samples } = accept(jwt({ iat, exp: iat + 900 * S }), { samples: [30 * S] });
    expect(skewMs).toBe(30 * S); // the smallest sample: the cached token's larger one does not win
    expect(samples).toEqual([30 * S, 90 * S]);
    expect(held.expiresAt).toBe(N + 839 * S);
  });

  it("a 10 s token from an issuer 30 s behind is planned over the 9 s it is surely valid", () => {
    const iat = N - 30 * S;
    const { held } = accept(jwt({ iat, exp: iat + 10 * S }));
    // Lifetime 9 s: leeway 20% (1.8 s), min validity 10% (0.9 s); random 0 plans at the end of the window.
    expect(held).toMatchObject({ issuedAt: N, expiresAt: N + 9 * S, serveUntil: N + 8_100, refreshAt: N + 7_200 });
  });

  it("an offset of exactly maxClockSkewMs is still corrected; beyond it, none is trusted", () => {
    const iat = N - 60 * S;
    const within = accept(jwt({ iat, exp: iat + 900 * S }), { options: { maxClockSkewMs: 60 * S } });
    expect(within.skewMs).toBe(60 * S);
    expect(codes(within.warnings)).not.toContain("WARN_CLOCK_SKEW_BEYOND_BOUND");
    const beyond = accept(jwt({ iat, exp: iat + 900 * S }), { options: { maxClockSkewMs: 59 * S } });
    expect(beyond.skewMs).toBeNull();
    expect(codes(beyond.warnings)).toContain("WARN_CLOCK_SKEW_BEYOND_BOUND");
  });

  it("beyond the bound the lifetime (exp − iat, less 1 s for a whole-second iat) is measured from receipt", () => {
    const iat = N - 2 * 3_600 * S; // this clock 2 h ahead, the bound is 1 h
    const { held, skewMs } = accept(jwt({ iat, exp: iat + 900 * S }));
    expect(skewMs).toBeNull();
    expect(held.expiresAt).toBe(N + 899 * S);
  });

  it("this clock 2 h behind (beyond the bound): the token counts as just issued, its nbf = iat is no refusal", () => {
    const iat = N + 2 * 3_600 * S;
    const { held, skewMs, warnings } = accept(jwt({ iat, exp: iat + 900 * S, nbf: iat }));
    expect(skewMs).toBeNull();
    expect(held.expiresAt).toBe(N + 899 * S);
    expect(codes(warnings)).toEqual(["WARN_CLOCK_SKEW_BEYOND_BOUND"]);
  });

  it("beyond the bound, a token handed back 60 s after its first receipt has aged those 60 s", () => {
    const iat = N - 2 * 3_600 * S;
    const again = accept(jwt({ iat, exp: iat + 900 * S }), { samples: [N - iat], firstSeen: () => N - 60 * S });
    expect(again.held.expiresAt).toBe(N + 839 * S);
  });

  it("without iat: WARN_TOKEN_MISSING_IAT, and a 10 s token refreshes once per lifetime, not in a loop", () => {
    const { held, warnings, settled } = accept(jwt({ exp: N + 10 * S }));
    expect(codes(warnings)).toEqual(["WARN_TOKEN_MISSING_IAT"]);
    expect(held).toMatchObject({ issuedAt: N, expiresAt: N + 10 * S, serveUntil: N + 9 * S, refreshAt: N + 8 * S });
    expect(settled).toBe(false); // no iat, no sample: a clock jump stays unsettled
  });
});

describe("an iat in the future (Convex rejects one more than 5 s ahead of its clock)", () => {
  it("5 s ahead is within Convex's leeway: no warning", () => {
    const iat = N + 5 * S;
    expect(accept(jwt({ iat, exp: iat + 900 * S })).warnings).toEqual([]);
  });

  it("6 s ahead: WARN_TOKEN_IAT_IN_FUTURE says by how much, and to sync both clocks", () => {
    const iat = N + 6 * S;
    const [warning] = accept(jwt({ iat, exp: iat + 900 * S })).warnings;
    expect(warning?.[0]).toBe("WARN_TOKEN_IAT_IN_FUTURE");
    expect(warning?.[1]).toContain("`iat` is 6 s ahead of this clock");
    expect(warning?.[1]).toContain("Sync both (NTP)");
  });
});

describe("an expired token is refused (ERR_TOKEN_EXPIRED), saying what to fix", () => {
  it("one that expires the very moment it arrives", () => {
    const error = rejection(() => accept(jwt({ exp: N })));
    expect(error.code).toBe("ERR_TOKEN_EXPIRED");
  });

  it("names both causes and their fixes: a wrong clock (NTP), or an endpoint serving a cached token", () => {
    const { message } = rejection(() => accept(jwt({ exp: N - 30 * S })));
    expect(message).toContain("had expired 30 s before it arrived");
    expect(message).toContain("sync this device's and the issuer's (NTP)");
    expect(message).toContain("serves a cached token: make it mint a new one");
    expect(message).toContain('at least when `reason` is "forced"');
  });
});

describe("nbf (Convex rejects a token whose nbf is more than 5 s ahead of its clock)", () => {
  it("accepts nbf = iat, and nbf up to 5 s ahead", () => {
    expect(accept(jwt({ iat: N, exp: N + 900 * S, nbf: N })).held.expiresAt).toBe(N + 900 * S);
    expect(accept(jwt({ iat: N, exp: N + 900 * S, nbf: N + 5 * S })).held.expiresAt).toBe(N + 900 * S);
  });

  it("refuses nbf 10 s ahead with ERR_TOKEN_NOT_YET_VALID, telling the issuer to drop it or set it to iat", () => {
    const error = rejection(() => accept(jwt({ iat: N, exp: N + 900 * S, nbf: N + 10 * S })));
    expect(error.code).toBe("ERR_TOKEN_NOT_YET_VALID");
    expect(error.message).toContain("The JWT's `nbf` is 10 s in the future");
    expect(error.message).toContain("more than 5 s ahead of its clock: make the issuer drop `nbf`, or set it to `iat`");
  });

  it("judges nbf on the issuer's clock: an issuer 30 s ahead of this device is not refused", () => {
    const iat = N + 30 * S; // this clock 30 s behind (corrected: 31 s, the whole-second iat's grain)
    const { held, warnings } = accept(jwt({ iat, exp: iat + 900 * S, nbf: iat + 2 * S }));
    expect(held.raw).toBeTruthy();
    expect(codes(warnings)).toContain("WARN_TOKEN_IAT_IN_FUTURE");
  });
});

describe("what the held token keeps", () => {
  it("its issuer (the `token` event's `issuer`), or null without `iss`", () => {
    expect(accept(jwt({ iat: N, exp: N + 900 * S })).held.iss).toBe("https://issuer.test");
    expect(accept(jwt({ iat: N, exp: N + 900 * S, iss: null })).held.iss).toBeNull();
  });

  it("only a new token with iat adds a sample and settles a clock jump; a token seen before does not", () => {
    const token = jwt({ iat: N - 30 * S, exp: N + 870 * S });
    const fresh = accept(token);
    expect(fresh.settled).toBe(true);
    expect(fresh.samples).toEqual([30 * S]);
    const again = accept(token, { samples: [20 * S], firstSeen: (raw) => (raw === token ? N : undefined) });
    expect(again.settled).toBe(false);
    expect(again.samples).toEqual([20 * S]);
  });

  it("the estimate follows the last five new tokens: an offset since corrected ages out", () => {
    const iat = N - 30 * S;
    const { samples, skewMs } = accept(jwt({ iat, exp: iat + 900 * S }), {
      samples: [10 * S, 30 * S, 30 * S, 30 * S, 30 * S],
    });
    expect(samples).toEqual([30 * S, 30 * S, 30 * S, 30 * S, 30 * S]);
    expect(skewMs).toBe(30 * S);
  });
});

describe("after the wall clock stepped forward (jumpMs beyond monotonic time)", () => {
  const JUMP = 60 * S;
  const takenAfterJump = (sample: number, samples: number[]) =>
    accept(jwt({ iat: N - sample, exp: N - sample + 900 * S }), { samples, jumpMs: JUMP });

  it("a new token whose offset grew by the jump confirms it: the old samples move by the jump", () => {
    const { samples, skewMs, settled } = takenAfterJump(80 * S, [20 * S]);
    expect(samples).toEqual([80 * S, 80 * S]);
    expect(skewMs).toBe(80 * S);
    expect(settled).toBe(true);
  });

  it("within Convex's 5 s leeway of the jumped estimate still confirms it", () => {
    expect(takenAfterJump(75 * S, [20 * S]).skewMs).toBe(75 * S);
  });

  it("the smallest sample sets the bar: one of several moved samples within 5 s confirms the jump", () => {
    expect(takenAfterJump(78 * S, [20 * S, 50 * S]).samples).toEqual([80 * S, 110 * S, 78 * S]);
  });

  it("a token whose offset did not grow says the machine slept: the samples stay, the estimate too", () => {
    const { samples, skewMs } = takenAfterJump(30 * S, [20 * S]);
    expect(samples).toEqual([20 * S, 30 * S]);
    expect(skewMs).toBe(20 * S);
  });
});
