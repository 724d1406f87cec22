/**
 * The adapter depends on the structural `TokenSource`, not the TokenManager class: a hand-written fake must
 * satisfy `connectConvex`'s and `convexTokenFetcher`'s types (checked by `npm run typecheck`, which covers
 * test/), and work at run time. The `@ts-expect-error` lines fail the typecheck if the types get looser.
 */
import type { ConvexClient, ConvexHttpClient } from "convex/browser";
import type { ConvexReactClient } from "convex/react";
import { describe, expect, expectTypeOf, it } from "vitest";
import { connectConvex, convexTokenFetcher, type ConvexClientLike } from "../../src/convex/index";
import type { TokenSnapshot, TokenSource } from "../../src/index";

function fakeSource(token: string | null): TokenSource {
  const snapshot: TokenSnapshot = {
    status: token ? "valid" : "signedOut",
    hasToken: token !== null,
    issuedAt: token ? Date.now() : null,
    expiresAt: token ? Date.now() + 900_000 : null,
    nextFetchAt: null,
    subject: null,
    issuer: null,
    error: null,
    failures: 0,
    exhausted: false,
    clockSkewMs: 0,
  };
  return {
    fetchTimeoutMs: 10_000,
    getToken: async () => token,
    peekToken: () => token,
    getSnapshot: () => snapshot,
    subscribe: () => () => {},
    on: () => undefined,
    off: () => undefined,
    signOut: () => {},
    notify: () => {},
  };
}

describe("TokenSource is structural", () => {
  it("a hand-written fake satisfies connectConvex and convexTokenFetcher", async () => {
    expectTypeOf(connectConvex).parameter(1).toEqualTypeOf<TokenSource>();
    expectTypeOf<ConvexClient>().toMatchTypeOf<ConvexClientLike>();
    expectTypeOf<ConvexReactClient>().toMatchTypeOf<ConvexClientLike>();
    expectTypeOf<ConvexHttpClient>().toMatchTypeOf<ConvexClientLike>();
    const fetchToken = convexTokenFetcher(fakeSource("a.b.c"));
    await expect(fetchToken({ forceRefreshToken: true })).resolves.toBe("a.b.c");
    const calls: string[] = [];
    const client = { setAuth: () => calls.push("setAuth"), clearAuth: () => calls.push("clearAuth") };
    const disconnect = connectConvex(client, fakeSource("a.b.c"));
    disconnect();
    expect(calls).toEqual(["setAuth", "clearAuth", "setAuth"]);
  });

  it("rejects what is not a client or a token source at compile time", () => {
    const source = fakeSource(null);
    // @ts-expect-error: not a Convex client
    expect(() => connectConvex({}, source)).toThrow(TypeError);
    // @ts-expect-error: not a token source
    expect(() => connectConvex({ setAuth() {}, clearAuth() {} }, { getToken: async () => null })).toThrow(TypeError);
  });
});
