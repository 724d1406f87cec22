/**
 * The one fake issuer: the unsigned issuer the unit tests use mints exactly the claims the signed
 * `createTestIssuer` does (same defaults, same overrides, `null` leaves a claim out), synchronously and
 * unsigned, and never the same token twice.
 */
import { decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { createTestIssuer } from "../../src/testing";
import { createUnsignedIssuer } from "../../src/testing/unsigned-issuer";

const T = Date.UTC(2031, 5, 1, 12, 0, 0, 700);
const withoutJti = ({ jti: _, ...claims }: Record<string, unknown>) => claims;

describe("createUnsignedIssuer", () => {
  it("mints the signed issuer's claims, with the same defaults and overrides", async () => {
    const signed = await createTestIssuer({ now: () => T });
    const unsigned = createUnsignedIssuer({ now: () => T });
    for (const m of [{}, { sub: "user_2", lifetimeSec: 60 }, { aud: null, iat: null }, { claims: { nbf: 5 } }]) {
      expect(withoutJti(decodeJwt(unsigned.mint(m)))).toEqual(withoutJti(decodeJwt(await signed.mint(m))));
    }
    expect(decodeJwt(unsigned.mint())).toMatchObject({
      iss: "https://issuer.test",
      aud: "convex",
      sub: "user_1",
      iat: Math.floor(T / 1000),
      exp: Math.floor(T / 1000) + 900,
    });
  });

  it("is synchronous and unsigned, puts a kid in the header only when asked, and never repeats a token", () => {
    const issuer = createUnsignedIssuer({ issuer: "https://auth.test", subject: "u", lifetimeSeconds: 30 });
    const [a, b] = [issuer.mint(), issuer.mint()];
    expect(a).not.toBe(b);
    expect(decodeProtectedHeader(a)).toEqual({ alg: "RS256", typ: "JWT" });
    expect(decodeProtectedHeader(issuer.mint({ kid: "k1" }))).toEqual({ alg: "RS256", typ: "JWT", kid: "k1" });
    const claims = decodeJwt(a);
    expect([claims.iss, claims.sub, claims.exp! - claims.iat!]).toEqual(["https://auth.test", "u", 30]);
  });
});
