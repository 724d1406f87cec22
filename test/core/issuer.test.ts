/**
 * The Convex backend's matching rules (`issuer.ts`) that `diagnoseToken` and the local deployment share with
 * the core: which `aud` values count, and which issuers get `https://`.
 */
import { describe, expect, it } from "vitest";
import { audiences, issuerMatches, providerIssuerUrl } from "../../src/core/issuer";

describe("audiences", () => {
  it("a string, or the strings of an array; any other value is no audience at all", () => {
    expect(audiences("convex")).toEqual(["convex"]);
    expect(audiences(["convex", 42, null, "other"])).toEqual(["convex", "other"]);
    expect(audiences(42)).toEqual([]);
    expect(audiences(undefined)).toEqual([]);
    expect(audiences({ aud: "convex" })).toEqual([]);
  });
});

describe("providerIssuerUrl", () => {
  it("only a scheme at the start counts: a scheme-less issuer whose path holds a URL still gets https://", () => {
    expect(providerIssuerUrl("auth.example.com/t/https://x")).toBe("https://auth.example.com/t/https://x");
    expect(providerIssuerUrl("http://auth.example.com")).toBe("http://auth.example.com");
    expect(issuerMatches("auth.example.com/t/https://x", "https://auth.example.com/t/https://x")).toBe(true);
  });
});
