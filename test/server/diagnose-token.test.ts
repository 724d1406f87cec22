/**
 * diagnoseToken against tokens the test issuer makes wrong on purpose. Every failure mode of the backend's
 * customJwt validation must produce the right finding, the backend's exact string and a fix, and must agree
 * with what the local deployment (the backend's checks re-implemented) answers for the same token.
 * Pain point guarded (peer-token-managers notes / convex-auth-internals §5): the backend's terse errors
 * ("invalid signature", "audience mismatch", "expired", "invalid issuer") cost users hours.
 */
import fc from "fast-check";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKEND_MESSAGES, diagnoseToken, type CustomJwtProvider, type Diagnosis } from "../../src/server";
import {
  createTestIssuer,
  startLocalConvexDeployment,
  unsignedJwt,
  type LocalConvexDeployment,
  type ServedTestIssuer,
  type TestIssuer,
} from "../../src/testing";

const T = Date.UTC(2030, 0, 1);
const S = T / 1000;

let issuer: TestIssuer;
let other: TestIssuer;
let served: ServedTestIssuer;
let deployment: LocalConvexDeployment;
let provider: CustomJwtProvider;

beforeAll(async () => {
  issuer = await createTestIssuer({ algorithm: "ES256", now: () => T });
  other = await createTestIssuer({ algorithm: "RS256", now: () => T });
  served = await issuer.serve();
  provider = served.provider;
  deployment = await startLocalConvexDeployment({ providers: [provider], now: () => T });
});
afterAll(async () => {
  await deployment?.close();
  await served?.close();
});

/** What the local deployment's HTTP API answers for this bearer token. */
async function deploymentAnswer(
  d: LocalConvexDeployment,
  token: string,
): Promise<{ code: string; message: string } | "accepted"> {
  const res = await fetch(`${d.url}/api/query`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ path: "auth:whoami", format: "convex_encoded_json", args: [{}] }),
  });
  if (res.status === 200) return "accepted";
  return (await res.json()) as { code: string; message: string };
}

const failures = (d: Diagnosis) => d.findings.filter((f) => f.status === "fail");
const kidMsg = BACKEND_MESSAGES.badKid;
const noProvider =
  "No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your " +
  "configured providers: [CustomJWT(issuer=https://issuer.test, app_id=convex)]";

describe("diagnoseToken", () => {
  it("passes every check for a good token, in the backend's order", async () => {
    const token = await issuer.sign();
    const d = await diagnoseToken(token, [provider], { now: T });
    expect(d.ok).toBe(true);
    expect(d.backendError).toBeUndefined();
    expect(d.provider).toEqual(provider);
    expect(d.findings.map((f) => [f.check, f.status])).toEqual([
      ["config", "pass"],
      ["format", "pass"],
      ["provider", "pass"],
      ["jwks", "pass"],
      ["kid", "pass"],
      ["alg", "pass"],
      ["signature", "pass"],
      ["exp", "pass"],
      ["nbf", "pass"],
      ["iat", "pass"],
      ["claims", "pass"],
      ["refresh", "pass"],
    ]);
    expect(await deploymentAnswer(deployment, token)).toBe("accepted");
  });

  it("accepts the whole auth.config object and ignores whitespace around the token", async () => {
    const d = await diagnoseToken(`  ${await issuer.sign()}\n`, { providers: [provider] }, { now: T });
    expect(d.ok).toBe(true);
  });

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

  it("verifies RS256 as well (WebCrypto), and agrees with the deployment on an RS256 provider", async () => {
    const rs = await createTestIssuer({ algorithm: "RS256", now: () => T });
    const rsDeployment = await withDeployment([rs.provider]);
    const good = await rs.sign();
    const ok = await diagnoseToken(good, [rs.provider], { now: T });
    expect(ok.ok).toBe(true);
    expect(ok.findings.find((f) => f.check === "signature")?.status).toBe("pass");
    expect(await deploymentAnswer(rsDeployment, good)).toBe("accepted");
    const forged = await (await createTestIssuer({ algorithm: "RS256", now: () => T })).mint({ kid: rs.kid });
    const bad = await diagnoseToken(forged, [rs.provider], { now: T });
    expect(failures(bad).map((f) => f.code)).toEqual(["SIGNATURE_INVALID"]);
    expect(bad.backendError).toEqual(await deploymentAnswer(rsDeployment, forged));
    // An ES256 key published under the kid an RS256 provider expects: the key cannot verify RS256.
    const esJwks = { keys: [{ ...issuer.jwks().keys[0], kid: rs.kid, alg: undefined }] };
    const wrongKey = await diagnoseToken(good, [rs.provider], { now: T, jwks: esJwks });
    expect(failures(wrongKey)[0]).toMatchObject({
      code: "SIGNATURE_INVALID",
      message: expect.stringContaining("EC key, RS256 needs an RSA key"),
    });
  });

  it("checks only customJwt providers and says how many others it skipped", async () => {
    const d = await diagnoseToken(
      await issuer.sign(),
      { providers: [{ domain: "https://oidc.test", applicationID: "x" }, provider] },
      { now: T },
    );
    expect(d.ok).toBe(true);
    expect(d.findings[0]!.message).toBe("1 customJwt provider(s); 1 other provider(s) not checked.");
  });

  it("keeps checking after a failure, so one run shows every problem", async () => {
    const token = await issuer.mint({ aud: "other", sub: null, iat: S - 7200, exp: S - 3600 });
    const d = await diagnoseToken(token, [provider], { now: T });
    expect(failures(d).map((f) => f.code)).toEqual(["AUDIENCE_MISMATCH", "TOKEN_EXPIRED", "SUB_MISSING"]);
    // ...but reports what the backend answers: the first one.
    expect(d.backendError).toEqual({ code: "NoAuthProvider", message: noProvider });
    expect(d.findings.find((f) => f.check === "signature")?.status).toBe("pass");
  });

  it(
    "warns about what the backend accepts but will hurt: " + "exp within the leeway, no iat, a lifetime ≤ 10 s",
    async () => {
      const inLeeway = await issuer.mint({ iat: S - 100, exp: S - 3 });
      const d1 = await diagnoseToken(inLeeway, [provider], { now: T });
      expect(d1.ok).toBe(true);
      expect(d1.findings.find((f) => f.check === "exp")).toMatchObject({
        status: "warn",
        code: "TOKEN_EXPIRES_IN_LEEWAY",
        backendMessage: "Convex token identity expired",
      });
      expect(await deploymentAnswer(deployment, inLeeway)).toBe("accepted");

      const noIat = await diagnoseToken(await issuer.mint({ iat: null }), [provider], { now: T });
      expect(noIat.ok).toBe(true);
      expect(noIat.findings.find((f) => f.check === "refresh")).toMatchObject({ status: "warn", code: "IAT_MISSING" });

      const short = await diagnoseToken(await issuer.mint({ lifetimeSec: 10 }), [provider], { now: T });
      expect(short.findings.find((f) => f.check === "refresh")).toMatchObject({
        status: "warn",
        code: "LIFETIME_TOO_SHORT",
      });
    },
  );

  it("checks the config: no providers, an unsupported algorithm, a missing applicationID", async () => {
    const token = await issuer.sign();
    const none = await diagnoseToken(token, [], { now: T });
    expect(none.ok).toBe(false);
    expect(none.backendError).toEqual({ code: "NoAuthProvider", message: BACKEND_MESSAGES.noProviders });
    expect(await deploymentAnswer(await withDeployment([]), token)).toEqual(none.backendError);

    const hs = await diagnoseToken(token, [{ ...provider, algorithm: "HS256" }], { now: T });
    expect(hs.findings[0]).toMatchObject({
      check: "config",
      status: "fail",
      code: "CONFIG_ALGORITHM_UNSUPPORTED",
      backendMessage: BACKEND_MESSAGES.badAlgorithm,
    });

    const { applicationID: _omit, ...noApp } = provider;
    const open = await diagnoseToken(await issuer.mint({ aud: "anything" }), [noApp], { now: T });
    expect(open.ok).toBe(true);
    expect(open.findings[0]).toMatchObject({ check: "config", status: "warn", code: "APPLICATION_ID_MISSING" });
  });

  describe("JWKS", () => {
    let textUrl = "";
    let badBodyUrl = "";
    let longCacheUrl = "";
    let closePlain: () => Promise<void>;
    beforeAll(async () => {
      const server = createServer((req, res) => {
        if (req.url === "/text")
          res.writeHead(200, { "Content-Type": "text/plain" }).end(JSON.stringify(issuer.jwks()));
        else if (req.url === "/body") res.writeHead(200, { "Content-Type": "application/json" }).end('{"nokeys":true}');
        else
          res
            .writeHead(200, {
              "Content-Type": "application/jwk-set+json; charset=utf-8",
              "Cache-Control": "max-age=604800",
            })
            .end(JSON.stringify(issuer.jwks()));
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      [textUrl, badBodyUrl, longCacheUrl] = [`${base}/text`, `${base}/body`, `${base}/long`];
      closePlain = () => new Promise((r) => server.close(() => r()));
    });
    afterAll(() => closePlain());

    const jwksCases: [string, () => string, string, (u: string) => string][] = [
      [
        "404",
        () => `${served.url}/missing.json`,
        "JWKS_HTTP_ERROR",
        (u: string) =>
          `Could not fetch JWKS from URL '${u}': HTTP 404 Not Found. Check that the URL is correct and accessible.`,
      ],
      [
        "text/plain",
        () => textUrl,
        "JWKS_CONTENT_TYPE",
        (u: string) =>
          `Invalid Content-Type 'text/plain' when fetching JWKS from '${u}'. Expected 'application/json' or ` +
          `'application/jwk-set+json'.`,
      ],
      [
        "not a JWKS",
        () => badBodyUrl,
        "JWKS_INVALID",
        (u: string) =>
          `Invalid JWKS response body from '${u}'. The response is not valid JSON or doesn't match the expected ` +
          `JWKS format.`,
      ],
      [
        "a bad data: URL",
        () => "data:application/json;base64,@@@",
        "JWKS_DATA_URL_INVALID",
        () => BACKEND_MESSAGES.jwksDataUrl,
      ],
      [
        "a closed port",
        () => "http://127.0.0.1:1/jwks.json",
        "JWKS_UNREACHABLE",
        (u: string) =>
          `Could not fetch JWKS from URL '${u}': error sending request for url (${u}). Check that the URL is ` +
          `correct and accessible.`,
      ],
    ];
    it.each(jwksCases)(
      "a JWKS at %s → its finding with the backend's string, as the deployment says",
      async (_n, url, code, message) => {
        const p = { ...provider, jwks: url() };
        const token = await issuer.sign();
        const d = await diagnoseToken(token, [p], { now: T });
        expect(d.findings.find((f) => f.check === "jwks")).toMatchObject({
          status: "fail",
          code,
          backendMessage: message(url()),
        });
        expect(d.findings.filter((f) => ["kid", "alg", "signature"].includes(f.check)).map((f) => f.status)).toEqual([
          "skip",
          "skip",
          "skip",
        ]);
        expect(await deploymentAnswer(await withDeployment([p]), token)).toEqual(d.backendError);
      },
    );

    it("accepts application/jwk-set+json and warns about a JWKS cached for days", async () => {
      const d = await diagnoseToken(await issuer.sign(), [{ ...provider, jwks: longCacheUrl }], { now: T });
      expect(d.ok).toBe(true);
      expect(d.findings.find((f) => f.check === "jwks")).toMatchObject({ status: "warn", code: "JWKS_CACHE_LONG" });
    });

    it("works offline: a data: URL, or the JWKS given directly (fetch is never called)", async () => {
      const noFetch = (() => Promise.reject(new Error("network used"))) as typeof fetch;
      const viaData = await diagnoseToken(await issuer.sign(), [issuer.provider], { now: T, fetch: noFetch });
      expect(viaData.ok).toBe(true);
      const given = await diagnoseToken(await issuer.sign(), [provider], {
        now: T,
        fetch: noFetch,
        jwks: issuer.jwks(),
      });
      expect(given.ok).toBe(true);
      const givenText = await diagnoseToken(await issuer.mint({ kid: "zz" }), [provider], {
        now: T,
        fetch: noFetch,
        jwks: JSON.stringify(issuer.jwks()),
      });
      expect(givenText.backendError?.message).toBe(kidMsg("zz"));
    });
  });

  it("never puts the token, or its signature, in a finding", async () => {
    const tokens = [
      await issuer.sign(),
      await issuer.mint({ kid: "nope" }),
      await issuer.mint({ exp: S - 100 }),
      "garbageheader.garbagepayload.garbagesignature",
    ];
    for (const token of tokens) {
      const text = JSON.stringify(await diagnoseToken(token, [provider], { now: T }));
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.split(".")[2]);
    }
  });

  it("rejects bad arguments with a TypeError", async () => {
    await expect(diagnoseToken(42 as never, [provider])).rejects.toThrow(TypeError);
    await expect(diagnoseToken("x", null as never)).rejects.toThrow(/providers/);
  });

  it("names a bad option in its TypeError", async () => {
    const token = await issuer.sign();
    await expect(diagnoseToken(token, [provider], { now: Number.NaN })).rejects.toThrow(
      /`now` must be epoch milliseconds/,
    );
    await expect(diagnoseToken(token, [provider], { timeoutMs: 0 })).rejects.toThrow(/`timeoutMs` must be a positive/);
    await expect(diagnoseToken(token, [provider], { fetch: "curl" as never })).rejects.toThrow(/`fetch` must be/);
  });

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

const extraDeployments: LocalConvexDeployment[] = [];
afterAll(async () => {
  await Promise.all(extraDeployments.map((d) => d.close()));
});
async function withDeployment(providers: CustomJwtProvider[]): Promise<LocalConvexDeployment> {
  const d = await startLocalConvexDeployment({ providers, now: () => T });
  extraDeployments.push(d);
  return d;
}
