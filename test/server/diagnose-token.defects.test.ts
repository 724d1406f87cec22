/**
 * diagnoseToken on every failure mode of the backend's customJwt validation, each token wrong on purpose: the
 * right finding, the backend's exact string and a fix, and the same answer as the local deployment (the
 * backend's checks re-implemented), case by case and on random mixes of claim defects.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BACKEND_MESSAGES, diagnoseToken } from "../../src/server";
import { createTestIssuer, unsignedJwt } from "../../src/testing";
import {
  S,
  T,
  deployment,
  deploymentAnswer,
  failures,
  issuer,
  kidMsg,
  noProvider,
  other,
  provider,
  useDiagnoseFixtures,
} from "./diagnose-fixtures";

useDiagnoseFixtures();

describe("diagnoseToken", () => {
  // Every failure mode of convex-auth-internals §5 (and its Corrections), each token wrong on purpose.
  const cases: [string, () => Promise<string> | string, string, string, string][] = [
    ["not a JWT", () => "not-a-jwt", "format", "TOKEN_MALFORMED", BACKEND_MESSAGES.unparseable],
    [
      "a non-numeric exp",
      () => issuer.mint({ claims: { exp: "soon" } }),
      "format",
      "TOKEN_MALFORMED",
      BACKEND_MESSAGES.unparseable,
    ],
    ["no iss", () => issuer.mint({ iss: null }), "provider", "ISS_MISSING", BACKEND_MESSAGES.missingIss],
    ["a wrong iss", () => issuer.mint({ iss: "https://evil.test" }), "provider", "ISSUER_MISMATCH", noProvider],
    [
      "http instead of https",
      () => issuer.mint({ iss: "http://issuer.test" }),
      "provider",
      "ISSUER_MISMATCH",
      noProvider,
    ],
    ["an upper-case iss", () => issuer.mint({ iss: "https://Issuer.test" }), "provider", "ISSUER_MISMATCH", noProvider],
    ["a wrong aud", () => issuer.mint({ aud: "someone-else" }), "provider", "AUDIENCE_MISMATCH", noProvider],
    [
      "an aud array without the app",
      () => issuer.mint({ aud: ["a", "b"] }),
      "provider",
      "AUDIENCE_MISMATCH",
      noProvider,
    ],
    ["no aud", () => issuer.mint({ aud: null }), "provider", "AUDIENCE_MISSING", noProvider],
    ["no kid", () => issuer.mint({ kid: null }), "kid", "KID_MISSING", BACKEND_MESSAGES.missingKid],
    ["an unknown kid", () => issuer.mint({ kid: "nope" }), "kid", "KID_UNKNOWN", kidMsg("nope")],
    [
      "an unknown header alg",
      () => unsignedJwt({ iss: "https://issuer.test", aud: "convex", sub: "u", exp: S + 60 }, { alg: "XX1", kid: "k" }),
      "kid",
      "HEADER_MALFORMED",
      BACKEND_MESSAGES.missingKid,
    ],
    [
      "an RS256 token for an ES256 provider",
      async () => {
        const token = await other.mint();
        // Same kid as the provider's key, so the only problem left is the algorithm.
        const [, p, sig] = token.split(".");
        const h = Buffer.from(JSON.stringify({ alg: "RS256", typ: "JWT", kid: issuer.kid })).toString("base64url");
        return `${h}.${p}.${sig}`;
      },
      "alg",
      "JWK_ALG_MISMATCH",
      kidMsg(""),
    ],
    [
      "a token signed by another key under our kid",
      async () => {
        const evil = await createTestIssuer({ algorithm: "ES256", now: () => T });
        return evil.mint({ kid: issuer.kid });
      },
      "signature",
      "SIGNATURE_INVALID",
      kidMsg(""),
    ],
    [
      "a tampered payload",
      async () => {
        const good = await issuer.sign();
        const [h, , sig] = good.split(".");
        const p = Buffer.from(
          JSON.stringify({ iss: "https://issuer.test", aud: "convex", sub: "mallory", iat: S, exp: S + 900 }),
        ).toString("base64url");
        return `${h}.${p}.${sig}`;
      },
      "signature",
      "SIGNATURE_INVALID",
      kidMsg(""),
    ],
    [
      "a token with two parts",
      async () => (await issuer.sign()).split(".").slice(0, 2).join("."),
      "signature",
      "SIGNATURE_INVALID",
      kidMsg(""),
    ],
    [
      "exp 6 s ago (beyond the 5 s leeway)",
      () => issuer.mint({ exp: S - 6 }),
      "exp",
      "TOKEN_EXPIRED",
      BACKEND_MESSAGES.expiredAgo(6),
    ],
    [
      "exp an hour ago",
      () => issuer.mint({ iat: S - 7200, exp: S - 3600 }),
      "exp",
      "TOKEN_EXPIRED",
      "Could not validate token: Token expired 3600 seconds ago",
    ],
    [
      "nbf 30 s ahead",
      () => issuer.mint({ claims: { nbf: S + 30 } }),
      "nbf",
      "TOKEN_NOT_YET_VALID",
      "Could not validate token: Token will be valid in 30 seconds",
    ],
    [
      "iat 60 s ahead",
      () => issuer.mint({ iat: S + 60 }),
      "iat",
      "IAT_IN_FUTURE",
      "Could not validate token: Token will be valid in 60 seconds",
    ],
    ["no sub", () => issuer.mint({ sub: null }), "claims", "SUB_MISSING", BACKEND_MESSAGES.badClaims],
    ["no exp", () => issuer.mint({ exp: null }), "claims", "EXP_MISSING", BACKEND_MESSAGES.badClaims],
  ];

  it.each(cases)(
    "%s → its finding, the backend's exact string, and the deployment agrees",
    async (_name, make, check, code, message) => {
      const token = await make();
      const expected = message === kidMsg("") ? kidMsg(issuer.kid) : message;
      const d = await diagnoseToken(token, [provider], { now: T });
      expect(d.ok).toBe(false);
      const first = failures(d)[0]!;
      expect([first.check, first.code, first.backendMessage]).toEqual([check, code, expected]);
      expect(first.fix).toEqual(expect.any(String));
      const answer = await deploymentAnswer(deployment, token);
      expect(d.backendError).toEqual(answer);
    },
  );

  it("agrees with the local deployment on any mix of claim defects (property)", async () => {
    const offset = fc.option(fc.integer({ min: -40, max: 40 }), { nil: null });
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          iss: fc.constantFrom<string | null>(
            "https://issuer.test",
            "issuer.test",
            "https://issuer.test/",
            "http://issuer.test",
            "https://x.test",
            null,
          ),
          aud: fc.constantFrom<string | string[] | null>("convex", ["x", "convex"], "other", [], null),
          sub: fc.constantFrom<string | null>("user_1", null),
          kid: fc.constantFrom<"current" | "unknown" | null>("current", "unknown", null),
          exp: offset,
          iat: offset,
          nbf: fc.option(fc.integer({ min: -20, max: 20 }), { nil: undefined }),
        }),
        async (c) => {
          const token = await issuer.mint({
            iss: c.iss,
            aud: c.aud,
            sub: c.sub,
            kid: c.kid === "current" ? undefined : c.kid === "unknown" ? "unknown" : null,
            exp: c.exp === null ? null : S + c.exp,
            iat: c.iat === null ? null : S + c.iat,
            ...(c.nbf !== undefined ? { claims: { nbf: S + c.nbf } } : {}),
          });
          const d = await diagnoseToken(token, [provider], { now: T });
          const answer = await deploymentAnswer(deployment, token);
          if (answer === "accepted") expect(d).toMatchObject({ ok: true });
          else expect([d.ok, d.backendError]).toEqual([false, answer]);
        },
      ),
      { numRuns: 60 },
    );
  });
});
