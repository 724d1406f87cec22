/**
 * The signer: tokens carry exactly what Convex checks (the pain point: hand-written jose issuers without `kid`,
 * or with an `aud` that is not the applicationID), the local deployment (which validates as the backend does)
 * accepts them through the provider the issuer gives, and bad options are refused at start by name.
 */
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createIssuer, type IssuerOptions } from "../../src/issuer/index";
import { diagnoseToken } from "../../src/server/index";
import { startLocalConvexDeployment } from "../../src/testing/index";
import { keyForms, type KeyForms } from "./keys";

const T = Date.UTC(2030, 0, 1);
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

let rsa: KeyForms;
let ec: KeyForms;
let ec2: KeyForms;
beforeAll(async () => {
  [rsa, ec, ec2] = await Promise.all([keyForms("RS256"), keyForms("ES256"), keyForms("ES256")]);
});

const dataUrl = (jwks: unknown) =>
  `data:application/json;base64,${Buffer.from(JSON.stringify(jwks)).toString("base64")}`;

describe("mint", () => {
  it.each(["RS256", "ES256"] as const)(
    "%s: header kid/alg/typ; iss, aud, sub, iat, exp, a jti; custom claims",
    async (alg) => {
      let now = T + 1234;
      const issuer = await createIssuer({
        issuer: "https://auth.test",
        applicationID: "my-app",
        keys: [{ kid: "k1", privateKey: alg === "RS256" ? rsa.pem : ec.pem }],
        lifetimeSec: 600,
        clock: { now: () => now },
      });
      expect(issuer.algorithm).toBe(alg);
      const minted = await issuer.mint("user_42", { claims: { role: "admin", org: { id: "o1" } } });
      expect(decodeProtectedHeader(minted.token)).toEqual({ alg, typ: "JWT", kid: "k1" });
      const { payload } = await jwtVerify(minted.token, createLocalJWKSet(issuer.jwks()), {
        issuer: "https://auth.test",
        audience: "my-app",
        currentDate: new Date(now),
      });
      expect(payload).toEqual({
        iss: "https://auth.test",
        sub: "user_42",
        aud: "my-app",
        iat: (T + 1234 - 234) / 1000,
        exp: (T + 1000) / 1000 + 600,
        jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
        role: "admin",
        org: { id: "o1" },
      });
      expect(minted).toMatchObject({ kid: "k1", expiresAt: T + 1000 + 600_000 });
      // Two tokens in the same second still differ (Convex stops refreshing on a byte-identical token).
      now += 1;
      expect((await issuer.mint("user_42")).token).not.toBe((await issuer.mint("user_42")).token);
      expect(decodeJwt((await issuer.mint("u", { lifetimeSec: 60 })).token)).toMatchObject({
        exp: (T + 1000) / 1000 + 60,
      });
    },
  );

  it("its provider() is what the local deployment (validating as Convex does) and diagnoseToken accept", async () => {
    const issuer = await createIssuer({
      issuer: "https://auth.test",
      applicationID: "convex",
      keys: [{ kid: "k1", privateKey: ec.jwk as JsonWebKey }],
    });
    const provider = issuer.provider(dataUrl(issuer.jwks()));
    expect(provider).toEqual({
      type: "customJwt",
      issuer: "https://auth.test",
      jwks: provider.jwks,
      applicationID: "convex",
      algorithm: "ES256",
    });
    const deployment = await startLocalConvexDeployment({ providers: [provider] });
    cleanups.push(() => deployment.close());
    const client = new ConvexHttpClient(deployment.url, { skipConvexDeploymentUrlCheck: true, logger: false });
    const { token } = await issuer.mint("user_7", { claims: { org: { id: "o1" } } });
    client.setAuth(token);
    expect(await client.query(anyApi.auth!.whoami!, {})).toMatchObject({ subject: "user_7", "org.id": "o1" });
    const diagnosis = await diagnoseToken(token, [provider]);
    expect(diagnosis.findings.filter((f) => f.status !== "pass")).toEqual([]);
  });

  it("refuses what would break the token: registered claims, a bad subject, a lifetime over the issuer's", async () => {
    const issuer = await createIssuer({
      issuer: "https://auth.test",
      applicationID: "convex",
      keys: [{ kid: "k", privateKey: ec.pem }],
    });
    await expect(issuer.mint("u", { claims: { sub: "other" } })).rejects.toThrow(
      /^Issuer\.mint: `options\.claims`\.sub is set by the issuer \(iss, sub, aud, iat, exp, nbf and jti are\)/,
    );
    await expect(issuer.mint("u", { claims: { aud: "x" } })).rejects.toThrow(TypeError);
    await expect(issuer.mint("")).rejects.toThrow(/`subject` must be the user's id/);
    await expect(issuer.mint("u", { lifetimeSec: 901 })).rejects.toThrow(
      /`options\.lifetimeSec` must be more than 10 and at most/,
    );
    await expect(issuer.mint("u", { lifetimeSec: 10 })).rejects.toThrow(TypeError);
  });
});

describe("rotation through the issuer's clock", () => {
  it("switches keys at signFrom, publishes the next one before, drops the retired one after its tokens", async () => {
    let now = T;
    const issuer = await createIssuer({
      issuer: "https://auth.test",
      applicationID: "convex",
      keys: [
        { kid: "old", privateKey: ec.pem },
        { kid: "new", privateKey: ec2.pem, publishFrom: T + 60_000 },
      ],
      lifetimeSec: 100,
      jwksMaxAgeSec: 30,
      rotationMarginSec: 5,
      clock: { now: () => now },
    });
    const kids = () => issuer.jwks().keys.map((k) => k.kid);
    expect([issuer.signingKid(), kids(), issuer.jwksLastModified()]).toEqual(["old", ["old"], undefined]);
    now = T + 60_000;
    expect([issuer.signingKid(), kids(), issuer.jwksLastModified()]).toEqual(["old", ["old", "new"], T + 60_000]);
    now = T + 95_000;
    expect([issuer.signingKid(), (await issuer.mint("u")).kid]).toEqual(["new", "new"]);
    now = T + 95_000 + (100 + 5 + 35) * 1000 - 1;
    expect(kids()).toEqual(["old", "new"]);
    now += 1;
    expect(kids()).toEqual(["new"]);
    expect(issuer.schedule()).toEqual([
      { kid: "old", publishFrom: -Infinity, signFrom: -Infinity, signUntil: T + 95_000, unpublishAt: now },
      { kid: "new", publishFrom: T + 60_000, signFrom: T + 95_000, signUntil: Infinity, unpublishAt: Infinity },
    ]);
  });

  it("a clock set back before the first signFrom: mint fails with SigningKeyError, saying what to check", async () => {
    let now = T + 1000;
    const issuer = await createIssuer({
      issuer: "https://auth.test",
      applicationID: "convex",
      keys: [{ kid: "k", privateKey: ec.pem, signFrom: T }],
      clock: { now: () => now },
    });
    now = T - 1;
    await expect(issuer.mint("u")).rejects.toThrow(
      "Issuer.mint: no key signs at 2029-12-31T23:59:59.999Z, before keys[0].signFrom: check this server's clock, " +
        "or the first key's signFrom.",
    );
    await expect(issuer.mint("u")).rejects.toMatchObject({ code: "ERR_SIGNING_KEY_UNAVAILABLE" });
  });

  it("an instance given only public keys serves the JWKS and refuses to mint, saying where to mint", async () => {
    const issuer = await createIssuer({
      issuer: "https://auth.test",
      applicationID: "convex",
      keys: [{ kid: "k", publicKey: ec.spki }],
    });
    expect(issuer.jwks().keys).toEqual([expect.objectContaining({ kid: "k", x: ec.publicJwk.x })]);
    await expect(issuer.mint("u")).rejects.toThrow(/kid "k" signs now, but this instance has only its public key/);
    await expect(issuer.mint("u")).rejects.toMatchObject({
      name: "SigningKeyError",
      code: "ERR_SIGNING_KEY_UNAVAILABLE",
    });
  });
});

describe("options refused at start, by name", () => {
  const key = () => [{ kid: "k", privateKey: ec.pem }];
  const cases: [string, () => Partial<IssuerOptions>, RegExp][] = [
    ["no issuer", () => ({ issuer: "" }), /`issuer` must be a non-empty string/],
    ["an issuer that is no URL", () => ({ issuer: "https://exa mple.com" }), /`issuer` must be a URL/],
    ["an issuer with credentials", () => ({ issuer: "https://user:pw@auth.test" }), /without credentials/],
    ["no applicationID", () => ({ applicationID: undefined as never }), /`applicationID` must be a non-empty string/],
    ["a 10 s lifetime", () => ({ lifetimeSec: 10 }), /`lifetimeSec` must be more than 10 s, got 10: Convex's client/],
    ["max-age 0", () => ({ jwksMaxAgeSec: 0 }), /`jwksMaxAgeSec` must be a whole number of seconds, at least 1/],
    ["a negative margin", () => ({ rotationMarginSec: -1 }), /`rotationMarginSec` must be 0 or more/],
    ["a clock without now()", () => ({ clock: {} as never }), /`clock` must be an object with a now\(\) method/],
    ["keys that are not a list", () => ({ keys: "k" as never }), /`keys` must be a non-empty array/],
    [
      "a key without kid",
      () => ({ keys: [{ privateKey: ec.pem } as never] }),
      /`keys\[0\]\.kid` must be a non-empty string/,
    ],
    [
      "a time without a zone",
      () => ({ keys: [...key(), { kid: "b", privateKey: ec2.pem, signFrom: "2030-01-02T00:00" }] }),
      /`keys\[1\]\.signFrom` must be a Date, epoch milliseconds, or an ISO 8601 string with a time zone/,
    ],
    [
      "a later key with no time",
      () => ({ keys: [...key(), { kid: "b", privateKey: ec2.pem }] }),
      /`keys\[1\]\.signFrom` is needed \(or publishFrom\)/,
    ],
    [
      "a key that signs too soon after it is added",
      () => ({ keys: [...key(), { kid: "b", privateKey: ec2.pem, publishFrom: T, signFrom: T + 60_000 }] }),
      new RegExp(
        "`keys\\[1\\]\\.signFrom` \\(2030-01-01T00:01:00\\.000Z\\) is only 60 s after `keys\\[1\\]\\.publishFrom`" +
          ".*set signFrom to 2030-01-01T00:06:00\\.000Z or later",
      ),
    ],
    [
      "keys out of order",
      () => ({
        keys: [
          ...key(),
          { kid: "b", privateKey: ec2.pem, signFrom: T + 9e6 },
          { kid: "c", privateKey: rsa.pem, signFrom: T + 8e6 },
        ],
      }),
      /`keys\[2\]\.signFrom` .* is not after `keys\[1\]\.signFrom`/,
    ],
    [
      "the first key signing later",
      () => ({ keys: [{ kid: "k", privateKey: ec.pem, signFrom: Date.now() + 3_600_000 }] }),
      /`keys\[0\]\.signFrom` is .*in the future: no key signs now/,
    ],
    [
      "a signer missing a later key's private half",
      () => ({ keys: [...key(), { kid: "b", publicKey: ec2.spki, signFrom: Date.now() + 3_600_000 }] }),
      /`keys\[1\]\.privateKey` is missing: this instance signs \(keys\[0\] has a privateKey\)/,
    ],
  ];
  it.each(cases)("%s", async (_name, override, message) => {
    const options = {
      issuer: "https://auth.test",
      applicationID: "convex",
      keys: key(),
      ...override(),
    } as IssuerOptions;
    await expect(createIssuer(options)).rejects.toThrow(TypeError);
    await expect(createIssuer(options)).rejects.toThrow(message);
  });

  it("a later key with only publishFrom, or only signFrom, gets the other from max-age + margin", async () => {
    const issuer = await createIssuer({
      issuer: "https://auth.test",
      applicationID: "convex",
      jwksMaxAgeSec: 60,
      rotationMarginSec: 0,
      keys: [
        { kid: "a", privateKey: ec.pem },
        { kid: "b", privateKey: ec2.pem, publishFrom: new Date(T) },
        { kid: "c", privateKey: ec.jwk as JsonWebKey, signFrom: "2030-01-02T00:00:00+01:00" },
      ],
    });
    expect(issuer.schedule().map((w) => [w.publishFrom, w.signFrom])).toEqual([
      [-Infinity, -Infinity],
      [T, T + 60_000],
      [T + 23 * 3_600_000 - 60_000, T + 23 * 3_600_000],
    ]);
  });
});
