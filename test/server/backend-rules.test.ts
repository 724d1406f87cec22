/**
 * The backend's rules at their boundaries, where an off-by-one would let the local deployment and
 * `diagnoseToken` agree with each other and both disagree with Convex: the 5 s leeway on whole seconds, the
 * session's identity ending exactly at `exp` (no leeway), and biscuit's key-selection order. Pain point
 * guarded (convex-auth-internals notes): a token accepted at `Authenticate` within the leeway whose session
 * then ends at once with "Convex token identity expired".
 */
import { describe, expect, it } from "vitest";
import { BACKEND_MESSAGES } from "../../src/server";
import {
  identityExpired,
  missingIdentityClaims,
  selectJwk,
  temporalFailure,
  temporalFailures,
} from "../../src/server/backend-rules";

const S = 1_900_000_000; // whole seconds
const atSec = (sec: number) => sec * 1000;

describe("temporalFailures", () => {
  it("allows exp up to 5 whole seconds in the past, and no more", () => {
    expect(temporalFailures({ exp: S - 5 }, atSec(S) + 999)).toEqual([]);
    expect(temporalFailures({ exp: S - 6 }, atSec(S))).toEqual([
      { claim: "exp", message: BACKEND_MESSAGES.expiredAgo(6) },
    ]);
  });

  it("allows nbf and iat up to 5 s in the future, and reports each failing claim in biscuit's order", () => {
    expect(temporalFailures({ nbf: S + 5, iat: S + 5 }, atSec(S))).toEqual([]);
    const all = temporalFailures({ exp: S - 100, nbf: S + 6, iat: S + 7 }, atSec(S));
    expect(all.map((f) => [f.claim, f.message])).toEqual([
      ["exp", BACKEND_MESSAGES.expiredAgo(100)],
      ["nbf", BACKEND_MESSAGES.validIn(6)],
      ["iat", BACKEND_MESSAGES.validIn(7)],
    ]);
    expect(temporalFailure({ exp: S - 100, nbf: S + 6 }, atSec(S))?.claim).toBe("exp");
    expect(temporalFailures({ exp: null, nbf: null }, atSec(S))).toEqual([]);
  });
});

describe("identityExpired", () => {
  it("ends the session's identity exactly at exp, with no leeway", () => {
    expect(identityExpired(S, atSec(S) - 1)).toBe(false);
    expect(identityExpired(S, atSec(S))).toBe(true);
  });
});

describe("missingIdentityClaims", () => {
  it("names sub and exp when absent or null", () => {
    expect(missingIdentityClaims({ sub: "u", exp: S })).toEqual([]);
    expect(missingIdentityClaims({ sub: null })).toEqual(["sub", "exp"]);
  });
});

describe("selectJwk", () => {
  const keys = [
    { kty: "EC", kid: "a", alg: "ES256" },
    { kty: "RSA", kid: "b" },
  ];
  it("checks the header, the kid, the JWK's alg and the provider's alg, in that order", () => {
    expect(selectJwk(undefined, keys, "ES256")).toEqual({ ok: false, failure: "HEADER_MALFORMED" });
    expect(selectJwk({ alg: "XS1", kid: "a" }, keys, "ES256")).toEqual({ ok: false, failure: "HEADER_MALFORMED" });
    expect(selectJwk({ alg: "ES256" }, keys, "ES256")).toEqual({ ok: false, failure: "KID_MISSING" });
    expect(selectJwk({ alg: "ES256", kid: "z" }, keys, "ES256")).toEqual({ ok: false, failure: "KID_UNKNOWN" });
    expect(selectJwk({ alg: "RS256", kid: "a" }, keys, "RS256")).toEqual({ ok: false, failure: "JWK_ALG_MISMATCH" });
    expect(selectJwk({ alg: "RS256", kid: "b" }, keys, "ES256")).toEqual({ ok: false, failure: "ALG_MISMATCH" });
    expect(selectJwk({ alg: "RS256", kid: "b" }, keys, "RS256")).toEqual({ ok: true, jwk: keys[1] });
  });
});
