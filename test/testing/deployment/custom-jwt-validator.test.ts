/**
 * More of the backend's checks, string by string: malformed Authorization headers, the JWKS charset, body,
 * reachability and data: URLs, and the NoAuthProvider message.
 */
import { anyApi } from "convex/server";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createTestIssuer, startLocalConvexDeployment, type LocalConvexDeployment } from "../../../src/testing";
import { httpAuthError, httpClient, useDeploymentFixtures } from "./fixtures";

const { defer, setup } = useDeploymentFixtures();

describe("local deployment: more of the backend's checks, string by string", () => {
  async function raw(deployment: LocalConvexDeployment, authorization: string) {
    const res = await fetch(`${deployment.url}/api/query`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: authorization },
      body: JSON.stringify({ path: "auth:whoami", format: "convex_encoded_json", args: [{}] }),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  }

  it("answers malformed Authorization headers as the backend's extractor does", async () => {
    const { deployment } = await setup({ issuer: { alg: "ES256" } });
    expect(await raw(deployment, "Bearer")).toEqual({
      status: 400,
      body: { code: "InvalidHeaderFailure", message: "Invalid authentication header" },
    });
    expect(await raw(deployment, "Convex prod:abc|def")).toEqual({
      status: 401,
      body: { code: "BadAdminKey", message: "The provided admin key was invalid for this instance" },
    });
    expect(await raw(deployment, "Basic dXNlcjpwYXNz")).toEqual({
      status: 400,
      body: { code: "InvalidAdminKey", message: "Invalid admin key" },
    });
  });

  it("checks the JWKS charset, body and reachability, and decodes data: URLs, with the backend's strings", async () => {
    const issuer = await createTestIssuer({ alg: "ES256" });
    const routes: Record<string, [string, string]> = {
      "/latin1": ["application/json; charset=iso-8859-1", JSON.stringify(issuer.jwks())],
      "/jwkset": ["application/jwk-set+json; charset=UTF-8", JSON.stringify(issuer.jwks())],
      "/nokeys": ["application/json", '{"keys":[{"kid":"no-kty"}]}'],
      "/notjson": ["application/json", "<html>"],
    };
    const server = createServer((req, res) => {
      const [type, body] = routes[req.url ?? ""] ?? ["text/plain", ""];
      res.writeHead(200, { "Content-Type": type });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    defer(() => new Promise((r) => server.close(r)));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const closed = "http://127.0.0.1:1/jwks.json";
    const cases: [string, string | null][] = [
      [
        `${base}/latin1`,
        `Invalid Content-Type 'application/json; charset=iso-8859-1' when fetching JWKS from '${base}/latin1'. ` +
          `Expected 'application/json' or 'application/jwk-set+json'.`,
      ],
      [`${base}/jwkset`, null],
      [
        `${base}/nokeys`,
        `Invalid JWKS response body from '${base}/nokeys'. The response is not valid JSON or doesn't match the ` +
          `expected JWKS format.`,
      ],
      [
        `${base}/notjson`,
        `Invalid JWKS response body from '${base}/notjson'. The response is not valid JSON or doesn't match the ` +
          `expected JWKS format.`,
      ],
      [
        closed,
        `Could not fetch JWKS from URL '${closed}': error sending request for url (${closed}). Check that the URL ` +
          `is correct and accessible.`,
      ],
      [
        "data:application/json;base64,%%%",
        "Invalid JWKS data URL. Check that the data URL is properly formatted and contains valid base64-encoded JSON.",
      ],
      [`data:application/json,${encodeURIComponent(JSON.stringify(issuer.jwks()))}`, null],
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

  it("lists every provider in the NoAuthProvider message, and says when none is configured", async () => {
    const issuer = await createTestIssuer({ alg: "ES256" });
    const none = await startLocalConvexDeployment({ providers: [] });
    defer(() => none.close());
    expect(await httpAuthError(httpClient(none, await issuer.mint()).query(anyApi.auth!.whoami!, {}))).toEqual({
      code: "NoAuthProvider",
      message:
        "No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts.",
    });
    const two = await startLocalConvexDeployment({
      providers: [
        { type: "customJwt", issuer: "auth.one.test", jwks: issuer.provider.jwks, algorithm: "ES256" },
        {
          type: "customJwt",
          issuer: "https://auth.two.test",
          jwks: issuer.provider.jwks,
          applicationID: "app2",
          algorithm: "RS256",
        },
      ],
    });
    defer(() => two.close());
    expect(await httpAuthError(httpClient(two, await issuer.mint()).query(anyApi.auth!.whoami!, {}))).toEqual({
      code: "NoAuthProvider",
      message:
        "No auth provider found matching the given token. Check that your JWT's issuer and audience match one of " +
        "your configured providers: [CustomJWT(issuer=https://auth.one.test, app_id=none), " +
        "CustomJWT(issuer=https://auth.two.test, app_id=app2)]",
    });
  });
});
