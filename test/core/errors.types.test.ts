/**
 * The error union narrows on `code`, as jose's `AnyJOSEError` does, and warnings have a code vocabulary of
 * their own. Checked by `npm run typecheck` (which covers test/): a class whose `code` is not its own literal
 * makes a branch below hold a union, and `toEqualTypeOf` fails the typecheck. The run-time part checks the
 * guard and that each branch is reached by the class it names.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  InvalidTokenError,
  TokenEndpointError,
  TokenFetchError,
  TokenFetchTimeoutError,
  TokenManagerDisposedError,
  isTokenManagerError,
  type AnyTokenManagerError,
  type TokenErrorCode,
  type TokenWarningCode,
  type WarningEvent,
} from "../../src/index";

/** What an app does with a caught error: each branch reads a field only its class has. */
function handle(error: AnyTokenManagerError): string {
  switch (error.code) {
    case "ERR_TOKEN_FETCH_FAILED":
      expectTypeOf(error).toEqualTypeOf<TokenFetchError>();
      return `attempts ${error.attempts}`;
    case "ERR_TOKEN_FETCH_TIMEOUT":
      expectTypeOf(error).toEqualTypeOf<TokenFetchTimeoutError>();
      return `timeout ${error.timeoutMs}`;
    case "ERR_TOKEN_ENDPOINT":
      expectTypeOf(error).toEqualTypeOf<TokenEndpointError>();
      return `status ${error.status}`;
    case "ERR_TOKEN_MANAGER_DISPOSED":
      expectTypeOf(error).toEqualTypeOf<TokenManagerDisposedError>();
      return "disposed";
    case "ERR_TOKEN_MALFORMED":
    case "ERR_TOKEN_MISSING_EXP":
    case "ERR_TOKEN_EXP_NOT_SECONDS":
    case "ERR_TOKEN_MISSING_SUB":
    case "ERR_TOKEN_NOT_YET_VALID":
    case "ERR_TOKEN_EXPIRED":
    case "ERR_TOKEN_TOO_SHORT_LIVED":
    case "ERR_TOKEN_ISSUER_MISMATCH":
    case "ERR_TOKEN_AUDIENCE_MISMATCH":
      expectTypeOf(error).toEqualTypeOf<InvalidTokenError>();
      return `invalid ${error.tokenHint}`;
    default:
      expectTypeOf(error).toBeNever();
      return "unreachable";
  }
}

describe("AnyTokenManagerError", () => {
  it("narrows on code: each branch gets the class, and its fields", () => {
    expect(handle(new TokenFetchError(3, new Error("down")))).toBe("attempts 3");
    expect(handle(new TokenFetchTimeoutError(10_000))).toBe("timeout 10000");
    expect(handle(new TokenEndpointError(503, "down", { retryable: true }))).toBe("status 503");
    expect(handle(new TokenManagerDisposedError())).toBe("disposed");
    expect(handle(new InvalidTokenError("ERR_TOKEN_MISSING_SUB", "no sub", "a.b.c123456"))).toBe("invalid …123456");
  });

  it("its codes are exactly TokenErrorCode: no code without a class, no class without a code", () => {
    expectTypeOf<AnyTokenManagerError["code"]>().toEqualTypeOf<TokenErrorCode>();
  });

  it("isTokenManagerError narrows an unknown value to the union", () => {
    const caught: unknown = new TokenEndpointError(429, "slow down", { retryable: true, retryAfterMs: 5_000 });
    if (!isTokenManagerError(caught)) throw new Error("not recognised");
    expectTypeOf(caught).toEqualTypeOf<AnyTokenManagerError>();
    expect(caught.code === "ERR_TOKEN_ENDPOINT" && caught.retryAfterMs).toBe(5_000);
    for (const other of [new Error("x"), "ERR_TOKEN_ENDPOINT", { code: "ERR_TOKEN_ENDPOINT" }, null])
      expect(isTokenManagerError(other)).toBe(false);
  });
});

describe("warning codes", () => {
  it("are a vocabulary of their own (WARN_…), apart from the errors' ERR_… codes", () => {
    expectTypeOf<TokenWarningCode>().toExtend<`WARN_${string}`>();
    expectTypeOf<TokenErrorCode>().toExtend<`ERR_${string}`>();
    expectTypeOf<Extract<TokenWarningCode, TokenErrorCode>>().toBeNever();
    expectTypeOf<WarningEvent["code"]>().toEqualTypeOf<TokenWarningCode>();
  });
});
