/**
 * The adapters' `TypeError`s: each names the argument or option, says what is accepted and what the app
 * should do, and never repeats a string it was given (it may be a token or a URL with credentials).
 */
import { describe, expect, it } from "vitest";
import { connectConvex, convexTokenFetcher } from "../../src/convex/index";
import { describeValue } from "../../src/convex/validate";
import { fakeTokenSource } from "./fake-token-source";

const TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2lnbmF0dXJl";

/** The message of the TypeError `call` throws. */
function messageOf(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as TypeError).message;
  }
  throw new Error("expected a TypeError");
}

describe("the adapters' TypeErrors", () => {
  const client = { setAuth() {}, clearAuth() {} };
  const source = fakeTokenSource();

  it("a client that is not a Convex client: the accepted clients, what it lacks, what to pass", () => {
    expect(messageOf(() => connectConvex({ setAuth() {} } as never, source))).toBe(
      "connectConvex: `client` must be a Convex client: a ConvexClient (convex/browser), a ConvexReactClient " +
        "(convex/react), a ConvexHttpClient (convex/browser) or a BaseConvexClient; got an object with setAuth() " +
        "but no clearAuth(). Pass the client your app created, e.g. `new ConvexClient(url)`.",
    );
    expect(messageOf(() => connectConvex({} as never, source))).toMatch(/; got an object without setAuth\(\)\./);
    expect(messageOf(() => connectConvex(TOKEN as never, source))).toMatch(/; got a string\./);
  });

  it("a manager that is not a token manager: the methods it lacks, and what to pass", () => {
    const partial = { getToken() {}, getSnapshot() {}, subscribe() {}, on() {} };
    expect(messageOf(() => connectConvex(client, partial as never))).toBe(
      "connectConvex: `manager` must be a token manager (what createTokenManager() returns, or another " +
        "TokenSource); got an object without peekToken(), off(), a `fetchTimeoutMs` of 1 ms or more. Pass the " +
        "manager your app created with createTokenManager().",
    );
    expect(messageOf(() => convexTokenFetcher(undefined as never))).toMatch(/^convexTokenFetcher: .*; got undefined\./);
  });

  it("options: the option, its unit and range, the value when it is a number, and what to do", () => {
    expect(messageOf(() => connectConvex(client, source, { answerWithinMs: 0 } as never))).toBe(
      "connectConvex: `answerWithinMs` is no longer an option: how long Convex waits for a token is now read " +
        "from the token manager's `fetchTimeoutMs`. Remove `answerWithinMs` from this call, and set " +
        "`fetchTimeoutMs` in createTokenManager() if its default of 10000 ms does not suit the app.",
    );
    expect(messageOf(() => convexTokenFetcher(source, { authRefreshTokenLeewaySeconds: -1 }))).toBe(
      "convexTokenFetcher: `authRefreshTokenLeewaySeconds` must be a number of seconds >= 0, the value of the " +
        "Convex client's option of the same name; got -1. Pass the value your Convex client was created with, or " +
        "leave it out for Convex's default of 10.",
    );
    expect(messageOf(() => connectConvex(client, source, { onChange: 1 as never }))).toBe(
      "connectConvex: `onChange` must be a function (isAuthenticated: boolean) => void; got 1. Pass a function, " +
        "or leave `onChange` out.",
    );
  });

  it("refuses what a number check alone would let through: strings, Infinity, NaN", () => {
    for (const bad of ["5", Number.POSITIVE_INFINITY, Number.NaN, 86_400_001]) {
      expect(() => convexTokenFetcher(source, { answerWithinMs: bad } as never)).toThrow(/`answerWithinMs`/);
    }
    for (const bad of ["10", Number.POSITIVE_INFINITY, Number.NaN]) {
      const options = { authRefreshTokenLeewaySeconds: bad as never };
      expect(() => convexTokenFetcher(source, options)).toThrow(/`authRefreshTokenLeewaySeconds`/);
    }
  });

  it("never shows a string it was given", () => {
    const options = { answerWithinMs: TOKEN, authRefreshTokenLeewaySeconds: TOKEN } as never;
    for (const call of [
      () => connectConvex(TOKEN as never, source),
      () => connectConvex(client, TOKEN as never),
      () => convexTokenFetcher(source, options),
      () => convexTokenFetcher(source, { answerWithinMs: TOKEN } as never),
      () => connectConvex(client, source, { onChange: TOKEN as never }),
    ]) {
      expect(messageOf(call)).not.toContain(TOKEN.slice(0, 12));
    }
  });

  it("describes a value by its kind unless it is safe to show", () => {
    expect([null, undefined, 0, -1, Number.NaN, true].map(describeValue)).toEqual([
      "null",
      "undefined",
      "0",
      "-1",
      "NaN",
      "true",
    ]);
    expect([TOKEN, {}, [], () => {}, 1n, Symbol("s")].map(describeValue)).toEqual([
      "a string",
      "an object",
      "an array",
      "a function",
      "a bigint",
      "a symbol",
    ]);
  });
});
