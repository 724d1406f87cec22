/**
 * `createServerToken`: the request's token is handed on only when the browser's manager will accept it; a
 * token it would drop (expired, malformed, another issuer, too close to expiry for the page to load) is
 * dropped here with a warning, and the getter answers `undefined` (render loading, let the browser fetch)
 * rather than `null` (signed out). Pain points guarded: a signed-out flash before the client authenticates,
 * and `preloadQuery` with a token the client then cannot use (convex-js #98, #69).
 */
import { describe, expect, it, vi } from "vitest";
import { createServerToken } from "../../src/nextjs/index";
import { unsignedJwt } from "../../src/testing/unsigned-jwt";

// Outside a Next.js request, `connection()` throws: it stands in for Next's, and records the order of calls.
const calls: string[] = [];
vi.mock("next/server", () => ({
  connection: async () => {
    calls.push("connection");
  },
}));

const NOW = Date.UTC(2030, 0, 1);
const now = () => NOW;
const expected = { issuer: "https://issuer.test", applicationID: "convex" };

function token({ ageSec = 0, lifetimeSec = 900, claims = {} as Record<string, unknown> } = {}) {
  const iat = Math.floor(NOW / 1000) - ageSec;
  return unsignedJwt({ iss: expected.issuer, aud: "convex", sub: "alice", iat, exp: iat + lifetimeSec, ...claims });
}

/** The getter's answer for `value`, and the warnings it reported. */
async function read(value: () => unknown, options = {}) {
  const warnings: string[] = [];
  const get = createServerToken(value as () => string, {
    ...expected,
    now,
    onWarning: (m) => warnings.push(m),
    ...options,
  });
  return { result: await get(), warnings };
}

describe("createServerToken", () => {
  it("hands on a valid token (trimmed), null for no session and undefined for unknown, with no warning", async () => {
    const raw = token({ ageSec: 2 });
    expect(await read(async () => `${raw}\n`)).toEqual({ result: raw, warnings: [] });
    expect(await read(() => raw)).toEqual({ result: raw, warnings: [] });
    expect(await read(async () => null)).toEqual({ result: null, warnings: [] });
    expect(await read(async () => undefined)).toEqual({ result: undefined, warnings: [] });
  });

  it("drops an expired, malformed or foreign token: undefined (loading), and a warning naming the code", async () => {
    for (const [value, code] of [
      [token({ ageSec: 901 }), "ERR_TOKEN_EXPIRED"],
      ["not-a-jwt", "ERR_TOKEN_MALFORMED"],
      [token({ claims: { iss: "https://other.test" } }), "ERR_TOKEN_ISSUER_MISMATCH"],
      [token({ claims: { aud: "other" } }), "ERR_TOKEN_AUDIENCE_MISMATCH"],
    ] as const) {
      const { result, warnings } = await read(async () => value);
      expect(result).toBeUndefined();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`(${code})`);
      expect(warnings[0]).toContain("the browser's manager fetches a token");
      if (value.length > 20) expect(warnings[0]).not.toContain(value);
    }
  });

  it("drops a token that would be too short to serve once the page has loaded (pageLoadMs)", async () => {
    // 15 s left: servable now (10 s reserve), not 5 s later (the default page load).
    const { result, warnings } = await read(async () => token({ ageSec: 885 }));
    expect(result).toBeUndefined();
    expect(warnings[0]).toContain("(ERR_TOKEN_TOO_SHORT_LIVED)");
    expect((await read(async () => token({ ageSec: 885 }), { pageLoadMs: 0 })).result).toBe(token({ ageSec: 885 }));
  });

  it("answers undefined when the app's function throws, and says to fix it (the page renders loading)", async () => {
    const { result, warnings } = await read(async () => {
      throw new Error("session store down");
    });
    expect(result).toBeUndefined();
    expect(warnings).toEqual([expect.stringContaining("getToken threw (session store down)")]);
  });

  it("marks the request dynamic (connection()) before it asks the app's function", async () => {
    calls.length = 0;
    await createServerToken(() => {
      calls.push("getToken");
      return null;
    })();
    expect(calls).toEqual(["connection", "getToken"]);
  });

  it("warns on console.warn by default; onWarning: false is silent", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await createServerToken(() => "garbage", { now })();
    expect(warn).toHaveBeenCalledTimes(1);
    await createServerToken(() => "garbage", { now, onWarning: false })();
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it("refuses bad arguments with a TypeError naming the option", () => {
    expect(() => createServerToken("token" as never)).toThrow(/`getToken` must be/);
    expect(() => createServerToken(() => null, { minValidityMs: -1 })).toThrow(/`minValidityMs` must be/);
    expect(() => createServerToken(() => null, { pageLoadMs: Number.NaN })).toThrow(/`pageLoadMs` must be/);
    expect(() => createServerToken(() => null, { issuer: "" })).toThrow(/`issuer` must be a non-empty string/);
    expect(() => createServerToken(() => null, { onWarning: "log" as never })).toThrow(/`onWarning` must be/);
  });
});
