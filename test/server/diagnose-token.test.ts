/**
 * diagnoseToken end to end: a good token passes every check in the backend's order (RS256 through WebCrypto
 * too), only customJwt providers are checked, one run shows every problem, what the backend accepts but will
 * hurt is a warning, the config is checked, and the token never appears in a finding. The failure modes one
 * by one are in diagnose-token.defects.test.ts, the JWKS step in load-jwks.test.ts.
 * Pain point guarded (peer-token-managers notes / convex-auth-internals §5): the backend's terse errors
 * ("invalid signature", "audience mismatch", "expired", "invalid issuer") cost users hours.
 */
import { describe, expect, it } from "vitest";
import { BACKEND_MESSAGES, diagnoseToken } from "../../src/server";
import { createTestIssuer } from "../../src/testing";
import {
  S,
  T,
  deployment,
  deploymentAnswer,
  failures,
  issuer,
  noProvider,
  provider,
  useDiagnoseFixtures,
  withDeployment,
} from "./diagnose-fixtures";

useDiagnoseFixtures();

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
});
