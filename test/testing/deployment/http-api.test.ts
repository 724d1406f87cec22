/**
 * The local deployment's HTTP API with the real `ConvexHttpClient`: identities, the backend's validation
 * errors word for word, the JWKS cache and its failures.
 */
import { anyApi } from "convex/server";
import { decodeJwt } from "jose";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createTestIssuer, startLocalConvexDeployment, startTokenEndpoint, unsignedJwt } from "../../../src/testing";
import { MSG, httpAuthError, httpClient, useDeploymentFixtures } from "./fixtures";

const { defer, setup } = useDeploymentFixtures();

describe("local deployment + ConvexHttpClient (HTTP API)", () => {
  it("answers with the identity, or 401 InvalidAuthHeader for a token expired beyond the leeway", async () => {
    // A frozen server clock keeps "N seconds ago" exact.
    const t = Date.UTC(2030, 0, 1);
    const { issuer, deployment } = await setup({ issuer: { alg: "ES256" }, now: () => t });
    expect(await httpClient(deployment).query(anyApi.auth!.whoami!, {})).toBeNull();
    const ok = await httpClient(deployment, await issuer.mint({ exp: t / 1000 - 3 })).query(anyApi.auth!.whoami!, {});
    expect(ok).toMatchObject({ subject: "user_1" }); // HTTP has the 5 s leeway and no mid-session check

    const expired = httpClient(deployment, await issuer.mint({ exp: t / 1000 - 10 }));
    expect(await httpAuthError(expired.query(anyApi.auth!.whoami!, {}))).toEqual({
      code: "InvalidAuthHeader",
      message: "Could not validate token: Token expired 10 seconds ago",
    });
    expect(deployment.httpRequests.map((r) => [r.status, r.expired])).toEqual([
      [200, false],
      [200, true],
      [401, true],
    ]);
    expect(deployment.expiredTokensSent()).toBe(2);
  });

  it("reproduces the backend's validation errors", async () => {
    const t = Date.UTC(2030, 0, 1);
    const { issuer, deployment } = await setup({ issuer: { alg: "ES256" }, now: () => t });
    const s = t / 1000;
    const other = await createTestIssuer({ alg: "RS256" });
    const good = await issuer.mint();
    const [h, p] = good.split(".");
    const forged = Buffer.from(JSON.stringify({ ...decodeJwt(good), sub: "mallory" })).toString("base64url");
    const tampered = `${h}.${forged}.${good.split(".")[2]}`;
    const cases: [string, string, string][] = [
      [await issuer.mint({ kid: null }), "InvalidAuthHeader", MSG.missingKid],
      [await issuer.mint({ kid: "nope" }), "InvalidAuthHeader", MSG.kid("nope")],
      [await other.mint(), "InvalidAuthHeader", MSG.kid(other.kid)], // RS256 token, ES256 provider
      [tampered, "InvalidAuthHeader", MSG.kid(issuer.kid)],
      [unsignedJwt(decodeJwt(good), { alg: "ES256", kid: issuer.kid }), "InvalidAuthHeader", MSG.kid(issuer.kid)],
      [await issuer.mint({ aud: ["a", "b"] }), "NoAuthProvider", MSG.noProvider],
      [await issuer.mint({ iss: "http://issuer.test" }), "NoAuthProvider", MSG.noProvider],
      [await issuer.mint({ iss: null }), "InvalidAuthHeader", MSG.missingIss],
      [await issuer.mint({ exp: s - 6 }), "InvalidAuthHeader", "Could not validate token: Token expired 6 seconds ago"],
      [
        await issuer.mint({ iat: s + 60 }),
        "InvalidAuthHeader",
        "Could not validate token: Token will be valid in 60 seconds",
      ],
      [
        await issuer.mint({ claims: { nbf: s + 30 } }),
        "InvalidAuthHeader",
        "Could not validate token: Token will be valid in 30 seconds",
      ],
      [await issuer.mint({ sub: null }), "InvalidAuthHeader", MSG.badClaims],
      [await issuer.mint({ exp: null }), "InvalidAuthHeader", MSG.badClaims],
      [`${h}.${p}`, "InvalidAuthHeader", MSG.kid(issuer.kid)],
      ["not-a-jwt", "InvalidAuthHeader", MSG.unparseable],
      [await issuer.mint({ claims: { exp: "soon" } }), "InvalidAuthHeader", MSG.unparseable],
    ];
    for (const [token, code, message] of cases) {
      expect(await httpAuthError(httpClient(deployment, token).query(anyApi.auth!.whoami!, {}))).toEqual({
        code,
        message,
      });
    }
    // The issuer normalization and leeway edges that must pass.
    for (const token of [
      await issuer.mint({ iss: "issuer.test" }), // gets https:// prepended
      await issuer.mint({ iss: "https://issuer.test/" }), // trailing slash trimmed
      await issuer.mint({ aud: ["x", "convex"] }),
      await issuer.mint({ exp: s - 5 }),
      await issuer.mint({ iat: s + 5 }),
      await issuer.mint({ iat: null }),
    ]) {
      expect(await httpClient(deployment, token).query(anyApi.auth!.whoami!, {})).toMatchObject({ subject: "user_1" });
    }
  });

  it("honours the JWKS Cache-Control max-age", async () => {
    let t = Date.UTC(2030, 0, 1);
    const { issuer, endpoint, deployment } = await setup({ issuer: { alg: "ES256" }, jwksMaxAgeSec: 60, now: () => t });
    const whoami = async () => httpClient(deployment, await issuer.mint()).query(anyApi.auth!.whoami!, {});
    await whoami();
    await whoami();
    expect(endpoint.jwksRequests).toBe(1);
    t += 59_000;
    await whoami();
    expect(endpoint.jwksRequests).toBe(1);
    t += 1_000;
    await whoami();
    expect(endpoint.jwksRequests).toBe(2);
    deployment.invalidateJwksCache();
    await whoami();
    expect(endpoint.jwksRequests).toBe(3);
  });

  it("sees a rotated key only when the cached JWKS goes stale; without keepOld old tokens then fail", async () => {
    let t = Date.UTC(2030, 0, 1);
    const { issuer, deployment } = await setup({ issuer: { alg: "ES256" }, jwksMaxAgeSec: 60, now: () => t });
    const call = (token: string) => httpClient(deployment, token).query(anyApi.auth!.whoami!, {});
    const oldToken = await issuer.mint();
    const oldKid = issuer.kid;
    await call(oldToken); // caches the JWKS

    await issuer.rotateKey(); // the old public key is gone from the JWKS
    const newToken = await issuer.mint();
    expect(await httpAuthError(call(newToken))).toEqual({ code: "InvalidAuthHeader", message: MSG.kid(issuer.kid) });
    expect(await call(oldToken)).toMatchObject({ subject: "user_1" }); // still in the cached JWKS

    t += 60_000;
    expect(await call(newToken)).toMatchObject({ subject: "user_1" });
    expect(await httpAuthError(call(oldToken))).toEqual({ code: "InvalidAuthHeader", message: MSG.kid(oldKid) });

    await issuer.rotateKey({ keepOld: true });
    deployment.invalidateJwksCache();
    expect(await call(newToken)).toMatchObject({ subject: "user_1" });
    expect(await call(await issuer.mint())).toMatchObject({ subject: "user_1" });
  });

  it("reports JWKS fetch failures like the backend", async () => {
    const issuer = await createTestIssuer({ alg: "ES256" });
    const endpoint = await startTokenEndpoint(issuer);
    defer(() => endpoint.close());
    // A JWKS served with the wrong Content-Type.
    const textServer = createServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end(JSON.stringify(issuer.jwks()));
    });
    await new Promise<void>((r) => textServer.listen(0, "127.0.0.1", r));
    defer(() => new Promise((r) => textServer.close(r)));
    const textUrl = `http://127.0.0.1:${(textServer.address() as AddressInfo).port}/jwks`;
    const missingUrl = `${endpoint.url}/missing.json`;
    const dataUrl = `data:application/json;base64,${Buffer.from(JSON.stringify(issuer.jwks())).toString("base64")}`;

    const cases: [string, string | null][] = [
      [
        missingUrl,
        `Could not fetch JWKS from URL '${missingUrl}': HTTP 404 Not Found. Check that the URL is correct and ` +
          `accessible.`,
      ],
      [
        textUrl,
        `Invalid Content-Type 'text/plain' when fetching JWKS from '${textUrl}'. Expected 'application/json' or ` +
          `'application/jwk-set+json'.`,
      ],
      [dataUrl, null], // data: URLs are allowed and skip the Content-Type check
    ];
    for (const [jwks, message] of cases) {
      const deployment = await startLocalConvexDeployment({
        providers: [{ type: "customJwt", issuer: issuer.issuer, jwks, applicationID: "convex", algorithm: "ES256" }],
      });
      defer(() => deployment.close());
      const result = httpClient(deployment, await issuer.mint()).query(anyApi.auth!.whoami!, {});
      if (message === null) expect(await result).toMatchObject({ subject: "user_1" });
      else expect(await httpAuthError(result)).toEqual({ code: "InvalidAuthHeader", message });
    }
  });
});
