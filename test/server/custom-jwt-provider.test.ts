/**
 * customJwtProvider: the config Convex users get wrong (seed's troubleshooting list): a bad URL, an
 * unsupported algorithm, an env var that is not set, and a missing applicationID (tokens reusable across
 * services).
 */
import type { AuthConfig } from "convex/server";
import { describe, expect, it, vi } from "vitest";
import { customJwtProvider } from "../../src/server";

const base = {
  issuer: "https://auth.example.com",
  jwks: "https://auth.example.com/.well-known/jwks.json",
  applicationID: "convex",
};

describe("customJwtProvider", () => {
  it("returns the provider Convex's AuthConfig accepts, RS256 by default", () => {
    const provider = customJwtProvider(base);
    expect(provider).toEqual({ type: "customJwt", ...base, algorithm: "RS256" });
    const config = { providers: [provider, customJwtProvider({ ...base, algorithm: "ES256" })] } satisfies AuthConfig;
    expect(config.providers[1]!.algorithm).toBe("ES256");
  });

  it("accepts an issuer without a scheme (the backend adds https://) and a data: JWKS", () => {
    const jwks = `data:application/json;base64,${Buffer.from('{"keys":[]}').toString("base64")}`;
    expect(customJwtProvider({ ...base, issuer: "auth.example.com", jwks })).toMatchObject({
      issuer: "auth.example.com",
      jwks,
    });
  });

  it("warns once when applicationID is missing, through onWarning or console.warn; false silences it", () => {
    const warnings: string[] = [];
    const { applicationID: _, ...noApp } = base;
    const provider = customJwtProvider({ ...noApp, onWarning: (m) => warnings.push(m) });
    expect(provider).not.toHaveProperty("applicationID");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /no `applicationID`.*any token from this issuer is accepted, including ones minted for other services/,
    );

    const spy = vi.spyOn(console, "warn").mockImplementation(() => {});
    customJwtProvider(noApp);
    expect(spy).toHaveBeenCalledTimes(1);
    customJwtProvider({ ...noApp, onWarning: false });
    customJwtProvider(base);
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it("a throwing warning hook does not break the config", () => {
    const { applicationID: _, ...noApp } = base;
    expect(() =>
      customJwtProvider({
        ...noApp,
        onWarning: () => {
          throw new Error("boom");
        },
      }),
    ).not.toThrow();
  });

  it.each([
    [
      "an unsupported algorithm",
      { algorithm: "HS256" },
      /`algorithm` must be "RS256" or "ES256".*only RS256 and ES256 are supported/,
    ],
    [
      "an unset env var as issuer",
      { issuer: undefined },
      /`issuer` must be a non-empty string, got undefined.*npx convex env set/,
    ],
    ["an empty jwks", { jwks: "" }, /`jwks` must be a non-empty string/],
    ["a jwks that is not a URL", { jwks: "jwks.json" }, /`jwks` is not a valid URL/],
    ["an ftp jwks", { jwks: "ftp://auth.example.com/jwks" }, /`jwks` must be an https, http, data URL, got ftp: URL/],
    ["a wss issuer", { issuer: "wss://auth.example.com" }, /`issuer` must be an https, http URL, got wss: URL/],
    [
      "credentials in the jwks URL",
      { jwks: "https://user:secret@auth.example.com/jwks" },
      /`jwks` must not contain credentials/,
    ],
    ["an empty applicationID", { applicationID: "" }, /`applicationID` must be a non-empty string or left out/],
    ["an onWarning that is not a function", { onWarning: "log" }, /`onWarning` must be a function, or false/],
  ] as const)("throws a TypeError naming the option for %s", (_name, override, message) => {
    const call = () => customJwtProvider({ ...base, ...override } as never);
    expect(call).toThrow(TypeError);
    expect(call).toThrow(message);
  });

  it("never echoes a URL's credentials or query string", () => {
    try {
      customJwtProvider({ ...base, jwks: "not a url?token=secret" });
    } catch (err) {
      expect((err as Error).message).not.toContain("secret");
    }
    expect.assertions(1);
  });
});
