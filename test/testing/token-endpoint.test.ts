/**
 * The test token endpoint's error bodies say what happened and what to do (the switch that caused them, the
 * paths it serves), next to the stable `error` code a fetcher can read.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestIssuer, startTokenEndpoint, type TokenEndpoint } from "../../src/testing";

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
