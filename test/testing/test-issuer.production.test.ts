/**
 * The testing kit's issuer is the production signer plus knobs: with no knob turned, its tokens and its
 * JWKS entries have exactly the shape `convex-custom-jwt/issuer` produces, so a test written against the
 * kit proves what production sends.
 */
import { decodeJwt, decodeProtectedHeader, exportPKCS8, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { createIssuer } from "../../src/issuer/index";
import { createTestIssuer } from "../../src/testing/index";

const T = Date.UTC(2030, 0, 1);

describe("createTestIssuer is the production signer plus knobs", () => {
  it.each(["RS256", "ES256"] as const)("%s: the same header, claims and JWKS members as createIssuer", async (alg) => {
    const test = await createTestIssuer({
      algorithm: alg,
      issuer: "https://auth.test",
      lifetimeSeconds: 600,
      now: () => T,
    });
    const { privateKey } = await generateKeyPair(alg, { extractable: true });
    const production = await createIssuer({
      issuer: "https://auth.test",
      applicationID: "convex",
      lifetimeSec: 600,
      keys: [{ kid: test.kid, privateKey: await exportPKCS8(privateKey) }],
      clock: { now: () => T },
    });
    const fromTest = await test.sign({ role: "admin" });
    const fromProduction = (await production.mint("user_1", { claims: { role: "admin" } })).token;
    expect(decodeProtectedHeader(fromTest)).toEqual(decodeProtectedHeader(fromProduction));
    const { jti: a, ...testClaims } = decodeJwt(fromTest);
    const { jti: b, ...productionClaims } = decodeJwt(fromProduction);
    expect(testClaims).toEqual(productionClaims);
    expect([typeof a, typeof b]).toEqual(["string", "string"]);
    expect(Object.keys(decodeJwt(fromTest))).toEqual(Object.keys(decodeJwt(fromProduction)));
    const [testJwk] = test.jwks().keys;
    const [productionJwk] = production.jwks().keys;
    expect(Object.keys(testJwk!).sort()).toEqual(Object.keys(productionJwk!).sort());
    expect({ ...testJwk, n: 0, x: 0, y: 0 }).toEqual({ ...productionJwk, n: 0, x: 0, y: 0 });
  });
});
