/**
 * The acceptance of a server's token (`acceptInitialToken`): the normal checks, "servable now", and a clock
 * offset read the cautious way (a server's token may have waited: its age can make this clock look ahead,
 * never behind). Pain point guarded: SSR pages that render signed in with a token the client then drops, or
 * serves expired (convex-js #98, #69: `preloadQuery` with a token, then the client is not authenticated).
 */
import { describe, expect, it } from "vitest";
import { InvalidTokenError } from "../../src/core/errors";
import { acceptInitialToken, type InitialTokenOptions } from "../../src/core/initial-token";
import { unsignedJwt } from "../../src/testing/unsigned-jwt";

const NOW = Date.UTC(2030, 0, 1);
const sec = (ms: number) => Math.floor(ms / 1000);
const options: InitialTokenOptions = {
  issuer: "https://issuer.test",
  applicationID: "convex",
  refreshLeewayMs: 60_000,
  refreshJitterMs: 30_000,
  minValidityMs: 10_000,
  maxClockSkewMs: 3_600_000,
};

/** A token whose `iat` is `ageSec` before this clock's `NOW` (negative: after it). */
function token({ ageSec = 0, lifetimeSec = 900, claims = {} as Record<string, unknown> } = {}) {
  const iat = sec(NOW) - ageSec;
  return unsignedJwt({
    iss: "https://issuer.test",
    aud: "convex",
    sub: "alice",
    iat,
    exp: iat + lifetimeSec,
    ...claims,
  });
}

function rejected(value: unknown, now = NOW): InvalidTokenError {
  try {
    acceptInitialToken(value, now, options, 0.5);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTokenError);
    return error as InvalidTokenError;
  }
  throw new Error("accepted");
}

describe("acceptInitialToken", () => {
  it("accepts a valid token: its times, a refresh planned ahead of exp, and no skew sample", () => {
    const raw = token({ ageSec: 3 });
    const { held, samples, skewMs, warnings } = acceptInitialToken(` ${raw}\n`, NOW, options, 0.5);
    expect(held.raw).toBe(raw);
    expect(held.sub).toBe("alice");
    expect(held.expiresAt).toBe(NOW - 3_000 + 900_000);
    expect(held.issuedAt).toBe(NOW - 3_000);
    expect(held.refreshAt).toBe(held.expiresAt - 60_000 - 15_000);
    expect(NOW).toBeLessThan(held.serveUntil);
    expect(samples).toEqual([]);
    expect(skewMs).toBe(0);
    expect(warnings).toEqual([]);
  });

  it("drops an expired token (ERR_TOKEN_EXPIRED)", () => {
    const error = rejected(token({ ageSec: 901 }));
    expect(error.code).toBe("ERR_TOKEN_EXPIRED");
    expect(error.message).toMatch(/expired 1 s before it arrived/);
  });

  it("drops a token of another issuer or audience (ERR_TOKEN_ISSUER_MISMATCH, ERR_TOKEN_AUDIENCE_MISMATCH)", () => {
    expect(rejected(token({ claims: { iss: "https://other.test" } })).code).toBe("ERR_TOKEN_ISSUER_MISMATCH");
    expect(rejected(token({ claims: { aud: "another-service" } })).code).toBe("ERR_TOKEN_AUDIENCE_MISMATCH");
  });

  it("drops a malformed token, or something that is not a token (ERR_TOKEN_MALFORMED)", () => {
    for (const value of ["not-a-jwt", `Bearer ${token()}`, "", 42, {}, null, undefined]) {
      expect(rejected(value).code).toBe("ERR_TOKEN_MALFORMED");
    }
    expect(rejected(token({ claims: { sub: undefined } })).code).toBe("ERR_TOKEN_MISSING_SUB");
  });

  it("names the app's server, not `fetchToken`, when the server's token is not a JWT (never echoed whole)", () => {
    const raw = token();
    const error = rejected(`Bearer ${raw}`);
    expect(error.message).toMatch(/^The server's token is not a JWT \(got …\S{6}: not three base64url parts/);
    expect(error.message).toContain("the app's server must hand over the token itself");
    expect(error.message).not.toContain("fetchToken");
    expect(error.message).not.toContain(raw);
    expect(rejected(42).message).toContain("(got number)");
  });

  it("drops a token too short to serve: less left than the reserve (ERR_TOKEN_TOO_SHORT_LIVED), never expired", () => {
    // 15 minutes: the reserve is minValidityMs (10 s). 9 s left cannot be served; 11 s can.
    const error = rejected(token({ ageSec: 891 }));
    expect(error.code).toBe("ERR_TOKEN_TOO_SHORT_LIVED");
    expect(error.message).toContain("9 s left, under the 10 s the manager keeps in reserve");
    expect(error.message).not.toContain(token({ ageSec: 891 }));
    expect(acceptInitialToken(token({ ageSec: 889 }), NOW, options, 0.5).held.sub).toBe("alice");
    // A 20-second token: the reserve scales to 10% of the lifetime (2 s).
    expect(rejected(token({ ageSec: 19, lifetimeSec: 20 })).code).toBe("ERR_TOKEN_TOO_SHORT_LIVED");
    expect(acceptInitialToken(token({ ageSec: 17, lifetimeSec: 20 }), NOW, options, 0.5).held.sub).toBe("alice");
  });

  it("takes this clock as behind the issuer's when the token says so (the token counts as older)", () => {
    // The issuer's clock is 60 s ahead: the token was minted at NOW + 60 s (issuer time), 15 minutes long.
    const raw = token({ ageSec: -60 });
    const { held, samples, skewMs } = acceptInitialToken(raw, NOW, options, 0.5);
    expect(samples).toEqual([-60_000]);
    expect(skewMs).toBe(-60_000);
    // Expires at the issuer's exp, 15 min after its iat, on this clock: NOW + 15 min, not later.
    expect(held.expiresAt).toBeLessThanOrEqual(NOW + 900_000);
  });

  it("never takes this clock as ahead from a server's token: its age could explain it (no younger token)", () => {
    // Minted 5 minutes ago (a page held in a cache, or a slow render): as old as a clock 5 min ahead.
    const { held, samples, skewMs } = acceptInitialToken(token({ ageSec: 300 }), NOW, options, 0.5);
    expect(samples).toEqual([]);
    expect(skewMs).toBe(0);
    expect(held.expiresAt).toBe(NOW + 600_000); // 10 minutes left, as the issuer's clock sees it
  });
});
