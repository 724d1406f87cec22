/**
 * OAuthTokenError (clientCredentialsFetcher's error) fits the error union of issue 13: it is an
 * AnyTokenManagerError, a `switch` on `code` gives it in the ERR_TOKEN_ENDPOINT branch as a
 * TokenEndpointError, and `instanceof` narrows on to its OAuth fields. The type assertions are checked by
 * `npm run typecheck` (which covers test/); the run-time part checks the guard, the retry policy and the
 * masking of the server's description.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  OAuthTokenError,
  TokenEndpointError,
  isRetryable,
  isTokenManagerError,
  type AnyTokenManagerError,
} from "../../src/index";
import { unsignedJwt } from "../../src/testing/unsigned-jwt";

/** What an app does with a caught error: the endpoint branch, then the OAuth details when there are some. */
function handle(error: AnyTokenManagerError): string {
  switch (error.code) {
    case "ERR_TOKEN_ENDPOINT":
      expectTypeOf(error).toEqualTypeOf<TokenEndpointError>();
      return error instanceof OAuthTokenError ? `oauth ${error.oauthError}` : `status ${error.status}`;
    default:
      return "other";
  }
}

describe("OAuthTokenError", () => {
  it("is an AnyTokenManagerError that narrows on ERR_TOKEN_ENDPOINT, then on instanceof", () => {
    const error = new OAuthTokenError(401, "invalid_client", "refused", { retryable: false });
    expectTypeOf(error).toExtend<AnyTokenManagerError>();
    expectTypeOf(error.code).toEqualTypeOf<"ERR_TOKEN_ENDPOINT">();
    expectTypeOf(error.oauthError).toEqualTypeOf<string>();
    const caught: unknown = error;
    if (!isTokenManagerError(caught)) throw new Error("not recognised as a TokenManagerError");
    expect(handle(caught)).toBe("oauth invalid_client");
    expect(handle(new TokenEndpointError(404, "not found", { retryable: false }))).toBe("status 404");
    expect(caught).toBeInstanceOf(TokenEndpointError);
    expect(caught.name).toBe("OAuthTokenError");
  });

  it("is retried exactly when it says so", () => {
    expect(isRetryable(new OAuthTokenError(503, "http_503", "down", { retryable: true }))).toBe(true);
    expect(isRetryable(new OAuthTokenError(400, "invalid_scope", "refused", { retryable: false }))).toBe(false);
  });

  it("masks a token or a URL secret in the server's description", () => {
    const leaked = unsignedJwt({ sub: "someone", exp: 2_000_000_000 });
    const error = new OAuthTokenError(400, "invalid_grant", "refused", {
      retryable: false,
      description: `token ${leaked} refused at https://user:pw@auth.example.com/x?code=secret`,
    });
    expect(error.oauthErrorDescription).not.toContain(leaked);
    expect(error.oauthErrorDescription).not.toMatch(/user:pw|code=secret/);
  });
});
