/**
 * The handlers once through a real Node server on loopback: the JWKS and the token endpoint over HTTP, read
 * by jose's remote JWKS, by the token manager, and by the local Convex deployment (which fetches and caches
 * the JWKS as the backend does).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { connectConvex } from "../../src/convex/index";
import { createTokenManager, httpTokenFetcher } from "../../src/index";
import { createIssuer, jwksHandler, tokenHandler } from "../../src/issuer/index";
import { startLocalConvexDeployment } from "../../src/testing/index";
import { keyForms } from "./keys";
import { toNodeListener } from "./node-listener";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("through a real Node server on loopback", () => {
  it("serves the JWKS and tokens that jose, the token manager and the local Convex deployment accept", async () => {
    const key = await keyForms("RS256");
    const issuer = await createIssuer({
      issuer: "https://auth.test",
      applicationID: "convex",
      keys: [{ kid: "k1", privateKey: key.pem.replace(/\n/g, "\\n") }],
      jwksMaxAgeSec: 60,
    });
    const jwks = toNodeListener(jwksHandler(issuer));
    const token = toNodeListener(
      tokenHandler(issuer, {
        authenticate: (request) => /session=(\w+)/.exec(request.headers.get("cookie") ?? "")?.[1] ?? null,
      }),
    );
    const server = createServer((req, res) => {
      const route = req.url === "/.well-known/jwks.json" ? jwks : req.url === "/api/convex-token" ? token : undefined;
      if (route) void route(req, res);
      else res.writeHead(404).end();
    });
    const url = await listen(server);

    const jwksResponse = await fetch(`${url}/.well-known/jwks.json`);
    expect([jwksResponse.headers.get("content-type"), jwksResponse.headers.get("cache-control")]).toEqual([
      "application/json",
      "public, max-age=60",
    ]);
    expect(await jwksResponse.json()).toEqual(issuer.jwks());

    const signedIn = await fetch(`${url}/api/convex-token`, { method: "POST", headers: { cookie: "session=alice" } });
    const body = (await signedIn.json()) as { token: string; expiresAt: number };
    const { payload } = await jwtVerify(body.token, createRemoteJWKSet(new URL(`${url}/.well-known/jwks.json`)), {
      issuer: "https://auth.test",
      audience: "convex",
    });
    expect(payload.sub).toBe("alice");
    expect((await fetch(`${url}/api/convex-token`)).status).toBe(401);

    const deployment = await startLocalConvexDeployment({
      providers: [issuer.provider(`${url}/.well-known/jwks.json`)],
    });
    cleanups.push(() => deployment.close());
    const manager = createTokenManager({
      fetchToken: httpTokenFetcher({ url: `${url}/api/convex-token`, headers: { cookie: "session=bob" } }),
    });
    cleanups.push(() => manager.dispose());
    const client = new ConvexHttpClient(deployment.url, { skipConvexDeploymentUrlCheck: true, logger: false });
    cleanups.push(connectConvex(client, manager));
    expect(await client.query(anyApi.auth!.whoami!, {})).toMatchObject({ subject: "bob", issuer: "https://auth.test" });
  });

  it("the README's Node http / Express adapter is this test's, verbatim", () => {
    const source = readFileSync(new URL("./node-listener.ts", import.meta.url), "utf8");
    const fn = source.slice(source.indexOf("// Run a Fetch-API handler"));
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    expect(fn.length).toBeGreaterThan(500);
    expect(readme).toContain(fn.trim());
  });
});
