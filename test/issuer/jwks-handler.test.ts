/**
 * The JWKS handler as plain Request → Response. The pain point it guards: a JWKS served without
 * `Cache-Control` makes the Convex backend refetch it for every token it validates (get-convex/better-auth
 * PR #438: 372 fetches in one production hour, 50 with `max-age=60`).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createIssuer, jwksHandler, type Issuer } from "../../src/issuer/index";
import { keyForms, type KeyForms } from "./keys";

const T = Date.UTC(2030, 0, 1);
let now = T;
let issuer: Issuer;
let a: KeyForms;
let b: KeyForms;
beforeAll(async () => {
  [a, b] = await Promise.all([keyForms("RS256"), keyForms("RS256")]);
  issuer = await createIssuer({
    issuer: "https://auth.test",
    applicationID: "convex",
    jwksMaxAgeSec: 120,
    keys: [
      { kid: "a", privateKey: a.pem },
      { kid: "b", privateKey: b.jwk as JsonWebKey, publishFrom: T + 60_000 },
    ],
    clock: { now: () => now },
  });
});

const headersOf = (r: Response) => {
  const out: Record<string, string> = {};
  r.headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
};
const request = (method = "GET") => new Request("https://auth.test/.well-known/jwks.json", { method });

describe("jwksHandler", () => {
  it("GET: the published public keys as application/json, cached publicly for jwksMaxAgeSec", async () => {
    now = T;
    const response = jwksHandler(issuer)(request());
    expect(response.status).toBe(200);
    expect(headersOf(response)).toEqual({
      "content-type": "application/json",
      "cache-control": "public, max-age=120",
      "access-control-allow-origin": "*",
    });
    expect(await response.json()).toEqual({
      keys: [{ kty: "RSA", kid: "a", alg: "RS256", use: "sig", n: a.publicJwk.n, e: "AQAB" }],
    });
  });

  it("follows the rotation: the next key appears at its publishFrom, with Last-Modified at that instant", async () => {
    const handler = jwksHandler(issuer);
    now = T + 60_000;
    const response = handler(request());
    expect(response.headers.get("last-modified")).toBe(new Date(T + 60_000).toUTCString());
    expect(((await response.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid)).toEqual(["a", "b"]);
  });

  it("HEAD: the same headers, no body; other methods: 405 with Allow", async () => {
    now = T;
    const head = jwksHandler(issuer)(request("HEAD"));
    expect([head.status, head.headers.get("cache-control"), await head.text()]).toEqual([
      200,
      "public, max-age=120",
      "",
    ]);
    const post = jwksHandler(issuer)(request("POST"));
    expect([post.status, post.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
  });

  it("refuses something that is not an issuer (a forgotten await), by name", () => {
    expect(() => jwksHandler(Promise.resolve(issuer) as never)).toThrow(
      "jwksHandler: `issuer` must be the issuer returned by createIssuer (await it first).",
    );
  });
});
