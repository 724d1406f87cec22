/**
 * The test token endpoint: tokens over GET and POST, a cacheable JWKS, the switches a fetcher must survive
 * (failNext with Retry-After, hangNext, signOut/signIn), and error bodies that say what happened and what to
 * do (the switch that caused them, the paths it serves) next to the stable `error` code a fetcher can read.
 */
import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestIssuer, startTokenEndpoint, type TokenEndpoint } from "../../src/testing";
import { useDeploymentFixtures } from "./deployment/fixtures";

const { setup } = useDeploymentFixtures();

let endpoint: TokenEndpoint;
beforeAll(async () => {
  endpoint = await startTokenEndpoint(await createTestIssuer({ algorithm: "ES256" }));
});
afterAll(() => endpoint?.close());

const body = async (url: string) => {
  const res = await fetch(url);
  return [res.status, await res.json()] as const;
};

it("explains a 404, a failNext and a signed-out 401 in its JSON body", async () => {
  expect(await body(`${endpoint.url}/nope`)).toEqual([
    404,
    { error: "not_found", message: expect.stringContaining("serves GET or POST /token and GET /.well-known/jwks") },
  ]);
  endpoint.failNext(1, 503);
  expect(await body(endpoint.tokenUrl)).toEqual([
    503,
    { error: "unavailable", message: expect.stringContaining("told to fail this request (failNext): retry it") },
  ]);
  endpoint.signOut();
  expect(await body(endpoint.tokenUrl)).toEqual([
    401,
    { error: "signed_out", message: expect.stringContaining("sign in again with signIn()") },
  ]);
  endpoint.signIn();
  expect((await body(endpoint.tokenUrl))[0]).toBe(200);
});

describe("startTokenEndpoint", () => {
  it("serves tokens (GET and POST) and a cacheable JWKS", async () => {
    const { issuer, endpoint } = await setup({ jwksMaxAgeSec: 7 });
    for (const method of ["GET", "POST"]) {
      const res = await fetch(endpoint.tokenUrl, { method });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/json");
      const { token } = (await res.json()) as { token: string };
      const { payload } = await jwtVerify(token, createLocalJWKSet(issuer.jwks() as never));
      expect(payload.sub).toBe("user_1");
    }
    const jwks = await fetch(endpoint.jwksUrl);
    expect(jwks.headers.get("content-type")).toBe("application/json");
    expect(jwks.headers.get("cache-control")).toBe("max-age=7");
    expect(await jwks.json()).toEqual(issuer.jwks());
    expect(endpoint.requests).toBe(2);
    expect(endpoint.jwksRequests).toBe(1);
  });

  it("failNext (with Retry-After), hangNext, signOut/signIn", async () => {
    const { endpoint } = await setup({ issuer: { alg: "ES256" } });

    endpoint.failNext(2, 503, { retryAfterSec: 7 });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(endpoint.tokenUrl);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("7");
    }
    endpoint.failNext(1, 500);
    const plain = await fetch(endpoint.tokenUrl);
    expect([plain.status, plain.headers.get("retry-after")]).toEqual([500, null]);
    expect((await fetch(endpoint.tokenUrl)).status).toBe(200);

    endpoint.hangNext(1);
    const abort = new AbortController();
    const hung = fetch(endpoint.tokenUrl, { signal: abort.signal });
    const before = endpoint.requests;
    // Real I/O turns (not a sleep) until the server has the request.
    while (endpoint.requests === before) await new Promise((r) => setImmediate(r));
    abort.abort();
    await expect(hung).rejects.toThrow(/abort/i);
    expect((await fetch(endpoint.tokenUrl)).status).toBe(200);

    endpoint.signOut();
    expect((await fetch(endpoint.tokenUrl)).status).toBe(401);
    endpoint.signIn("user_2");
    const { token } = (await (await fetch(endpoint.tokenUrl)).json()) as { token: string };
    expect(decodeJwt(token).sub).toBe("user_2");
    expect(endpoint.requests).toBe(8);
  });

  it("close() releases a request that is still hanging", async () => {
    const { endpoint } = await setup({ issuer: { alg: "ES256" } });
    endpoint.hangNext(1);
    const hung = fetch(endpoint.tokenUrl);
    while (endpoint.requests === 0) await new Promise((r) => setImmediate(r));
    await endpoint.close();
    await expect(hung).rejects.toThrow();
  });
});
