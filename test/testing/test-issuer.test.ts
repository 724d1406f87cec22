/**
 * The public kit, `convex-custom-jwt/testing`: the issuer's API from the issue (sign, provider, serve), the
 * fake clock re-exported from the core's module, and the msw handlers.
 */
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { jwtDecode } from "jwt-decode";
import { setupServer } from "msw/node";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createFakeClock,
  createTestIssuer,
  FakeClock,
  settle,
  startLocalConvexDeployment,
  unsignedJwt,
} from "../../src/testing";
import { FakeClock as CoreFakeClock } from "../../src/testing/fake-clock";
import { jwksHandler, testIssuerHandlers, tokenEndpointHandler } from "../../src/testing/msw";

const cleanups: (() => unknown)[] = [];
const defer = (fn: () => unknown) => cleanups.push(fn);
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const T = Date.UTC(2031, 5, 1);

describe("createTestIssuer", () => {
  it("takes the issue's options and signs correct iss/aud/sub/iat/exp with a kid", async () => {
    const issuer = await createTestIssuer({
      issuer: "https://auth.test",
      applicationID: "my-app",
      algorithm: "RS256",
      lifetimeSeconds: 300,
      now: () => T,
    });
    expect([issuer.algorithm, issuer.alg, issuer.lifetimeSeconds]).toEqual(["RS256", "RS256", 300]);
    const token = await issuer.sign({ org: { id: "o1" } });
    expect(decodeProtectedHeader(token)).toEqual({ alg: "RS256", typ: "JWT", kid: issuer.kid });
    const { payload } = await jwtVerify(token, createLocalJWKSet(issuer.jwks() as never), {
      issuer: "https://auth.test",
      audience: "my-app",
      currentDate: new Date(T),
    });
    expect(payload).toMatchObject({ sub: "user_1", iat: T / 1000, exp: T / 1000 + 300, org: { id: "o1" } });
    // Claims override the defaults; null leaves a claim out.
    expect(decodeJwt(await issuer.sign({ sub: "user_2", aud: null }))).not.toHaveProperty("aud");
    expect(decodeJwt(await issuer.sign({ sub: "user_2" })).sub).toBe("user_2");
  });

  it("rejects an algorithm Convex does not accept, and a non-positive lifetime", async () => {
    await expect(createTestIssuer({ algorithm: "HS256" as never })).rejects.toThrow(
      /`algorithm` must be "RS256" or "ES256"/,
    );
    await expect(createTestIssuer({ lifetimeSeconds: 0 })).rejects.toThrow(
      /`lifetimeSeconds` must be a positive number/,
    );
  });

  it(
    "provider: a customJwt entry with a data: JWKS the " + "local deployment (and Convex) accept, no server needed",
    async () => {
      const issuer = await createTestIssuer({ algorithm: "ES256" });
      expect(issuer.provider).toMatchObject({
        type: "customJwt",
        issuer: issuer.issuer,
        applicationID: "convex",
        algorithm: "ES256",
      });
      expect(issuer.provider.jwks).toMatch(/^data:application\/json;base64,/);
      const deployment = await startLocalConvexDeployment({ providers: [issuer.provider] });
      cleanups.push(() => deployment.close());
      const client = new ConvexHttpClient(deployment.url, { skipConvexDeploymentUrlCheck: true, logger: false });
      client.setAuth(await issuer.sign());
      expect(await client.query(anyApi.auth!.whoami!, {})).toMatchObject({ subject: "user_1", issuer: issuer.issuer });
    },
  );

  it(
    "serve(): the JWKS with its Content-Type and " + "Cache-Control, a token endpoint, the provider, and close()",
    async () => {
      const issuer = await createTestIssuer({ algorithm: "ES256" });
      const server = await issuer.serve({ jwksMaxAgeSec: 30 });
      cleanups.push(() => server.close());
      const jwks = await fetch(server.jwksUrl);
      expect([jwks.status, jwks.headers.get("content-type"), jwks.headers.get("cache-control")]).toEqual([
        200,
        "application/json",
        "max-age=30",
      ]);
      expect(await jwks.json()).toEqual(issuer.jwks());
      const { token } = (await (await fetch(server.tokenUrl, { method: "POST" })).json()) as { token: string };
      expect(decodeJwt(token).iss).toBe(issuer.issuer);
      expect(server.provider).toEqual({ ...issuer.provider, jwks: server.jwksUrl });
      await server.close();
      await expect(fetch(server.jwksUrl)).rejects.toThrow();
    },
  );
});

describe("fake clock", () => {
  it("is the core's FakeClock, usable from the kit", async () => {
    expect(FakeClock).toBe(CoreFakeClock);
    const clock = createFakeClock({ now: T });
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 1_000);
    await clock.advance(1_000);
    await settle();
    expect(fired).toEqual([T + 1_000]);
  });
});

describe("msw handlers (convex-custom-jwt/testing/msw)", () => {
  it("serve the JWKS and tokens at any URL through intercepted fetch", async () => {
    const issuer = await createTestIssuer({ algorithm: "ES256" });
    let signedOut = false;
    const server = setupServer(
      ...testIssuerHandlers(issuer, { tokenUrl: "https://app.test/api/convex-token" }),
      jwksHandler(issuer, "https://plain.test/jwks", { contentType: "text/plain", maxAgeSec: 5 }),
      tokenEndpointHandler(issuer, "https://app.test/maybe", { signedOut: () => signedOut }),
    );
    server.listen({ onUnhandledRequest: "error" });
    cleanups.push(() => server.close());

    const jwks = await fetch("https://issuer.test/.well-known/jwks.json");
    expect([jwks.headers.get("content-type"), jwks.headers.get("cache-control")]).toEqual([
      "application/json",
      "max-age=60",
    ]);
    expect(await jwks.json()).toEqual(issuer.jwks());
    const { token } = (await (await fetch("https://app.test/api/convex-token")).json()) as { token: string };
    await jwtVerify(token, createLocalJWKSet(issuer.jwks() as never));
    expect((await fetch("https://plain.test/jwks")).headers.get("content-type")).toBe("text/plain");
    expect((await fetch("https://app.test/maybe", { method: "POST" })).status).toBe(200);
    signedOut = true;
    expect((await fetch("https://app.test/maybe")).status).toBe(401);
    expect((await fetch("https://app.test/maybe", { method: "DELETE" })).status).toBe(405);
  });
});

describe("createTestIssuer: mint defaults, key rotation, unsigned tokens", () => {
  it("mints tokens with defaults from the issuer clock, a fresh jti, and honours null = omit", async () => {
    vi.useFakeTimers({ now: Date.UTC(2030, 0, 1), toFake: ["Date"] });
    defer(() => vi.useRealTimers());
    const issuer = await createTestIssuer({ alg: "ES256" });
    const a = await issuer.mint();
    const b = await issuer.mint();
    expect(a).not.toBe(b);
    expect(decodeJwt(a)).toMatchObject({
      iss: "https://issuer.test",
      aud: "convex",
      sub: "user_1",
      iat: Date.UTC(2030, 0, 1) / 1000,
      exp: Date.UTC(2030, 0, 1) / 1000 + 900,
    });
    expect(decodeJwt(a).jti).not.toBe(decodeJwt(b).jti);
    expect(decodeProtectedHeader(a)).toEqual({ alg: "ES256", typ: "JWT", kid: issuer.kid });

    const bare = decodeJwt(
      await issuer.mint({ sub: null, iat: null, aud: null, iss: null, exp: null, claims: { nbf: 5 } }),
    );
    expect(Object.keys(bare).sort()).toEqual(["jti", "nbf"]);
    expect(decodeProtectedHeader(await issuer.mint({ kid: null }))).toEqual({ alg: "ES256", typ: "JWT" });

    const { payload } = await jwtVerify(a, createLocalJWKSet(issuer.jwks() as never));
    expect(payload.sub).toBe("user_1");
  });

  it("rotates keys, keeping the old public key only when asked", async () => {
    const issuer = await createTestIssuer({ alg: "ES256" });
    const first = issuer.kid;
    await issuer.rotateKey({ keepOld: true });
    expect(issuer.jwks().keys.map((k) => k.kid)).toEqual([first, issuer.kid]);
    await issuer.rotateKey();
    expect(issuer.jwks().keys).toHaveLength(1);
    expect(issuer.jwks().keys[0]).toMatchObject({ kid: issuer.kid, alg: "ES256", use: "sig", kty: "EC" });
  });

  it("unsignedJwt is decodable synchronously", () => {
    const token = unsignedJwt({ sub: "u", iat: 1, exp: 2 });
    expect(jwtDecode(token)).toEqual({ sub: "u", iat: 1, exp: 2 });
    expect(jwtDecode(token, { header: true })).toEqual({ alg: "RS256", typ: "JWT" });
  });
});
