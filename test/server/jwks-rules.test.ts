/**
 * How long the backend's shared HTTP cache keeps a JWKS: the local deployment caches it this long, and
 * `diagnoseToken` warns when it is days. Pain point guarded (peer-token-managers notes): a rotated signing
 * key that Convex does not see for as long as the old JWKS stays cached.
 */
import { describe, expect, it } from "vitest";
import { isJwksContentType, jwksCacheMs, requestHref } from "../../src/server/jwks-rules";

describe("jwksCacheMs", () => {
  it("reads s-maxage before max-age, in seconds, quoted or not", () => {
    expect(jwksCacheMs("max-age=60", 200)).toBe(60_000);
    expect(jwksCacheMs('public, max-age="30"', 200)).toBe(30_000);
    expect(jwksCacheMs("max-age=60, s-maxage=5", 200)).toBe(5_000);
  });

  it("keeps nothing for no-store, no-cache or private, a status a cache may not store, or no header", () => {
    for (const header of ["no-store, max-age=600", "no-cache, max-age=600", "private, max-age=600"]) {
      expect(jwksCacheMs(header, 200)).toBe(0);
    }
    expect(jwksCacheMs("max-age=600", 500)).toBe(0);
    expect(jwksCacheMs(null, 200)).toBe(0);
    expect(jwksCacheMs("max-age=abc", 200)).toBe(0);
  });
});

describe("isJwksContentType", () => {
  it("accepts JSON and JWK-set JSON, with a utf-8 charset at most", () => {
    expect(isJwksContentType("application/json; charset=UTF-8")).toBe(true);
    expect(isJwksContentType("application/jwk-set+json")).toBe(true);
    expect(isJwksContentType("application/json; charset=latin1")).toBe(false);
    expect(isJwksContentType("text/plain")).toBe(false);
  });
});

describe("requestHref", () => {
  it("prints the URL as parsed, or as given when it does not parse", () => {
    expect(requestHref("HTTP://Example.com:443/a b")).toBe("http://example.com:443/a%20b");
    expect(requestHref("not a url")).toBe("not a url");
  });
});
