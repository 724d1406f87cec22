/**
 * readOAuthTokenAnswer on its own, with hand-made `Response`s: every answer Convex cannot use becomes an
 * OAuthTokenError whose message says what the server answered, what to do and who must do it (the app, or
 * the authorization server and its administrator), never the URL's secrets. Pain point guarded
 * (peer-token-managers notes): an OAuth failure surfaced as a bare "400" leaves users guessing whether the
 * secret, the scope or the server's registration is wrong. The request side is in client-credentials.test.ts.
 */
import { describe, expect, it } from "vitest";
import { isRetryable } from "../../src/core/retry";
import { OAuthTokenError } from "../../src/fetchers/oauth-token-error";
import { readOAuthTokenAnswer } from "../../src/fetchers/read-oauth-token-answer";
import { unsignedJwt } from "../../src/testing/unsigned-jwt";

const WHERE = "Token endpoint POST https://auth.example.com/token?…";
/** How a message names who must act. */
const WHO_ACTS = /\bthe app must\b|\bthe authorization server must\b|\badministrator must\b/i;

async function errorOf(body: unknown, init: ResponseInit = {}): Promise<OAuthTokenError> {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const error = await readOAuthTokenAnswer(new Response(text, init), WHERE).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OAuthTokenError);
  return error as OAuthTokenError;
}

describe("readOAuthTokenAnswer", () => {
  it("returns the JWT access token of a 200", async () => {
    const token = unsignedJwt({ sub: "worker", exp: 2_000_000_000 });
    await expect(readOAuthTokenAnswer(Response.json({ access_token: token }), WHERE)).resolves.toBe(token);
  });

  it.each([
    "invalid_client",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "invalid_target",
    "invalid_request",
    "invalid_grant",
    "some_vendor_error",
  ])("a 400 %s: definitive, and the message names who must act", async (code) => {
    const error = await errorOf({ error: code }, { status: 400 });
    expect(error).toMatchObject({ code: "ERR_TOKEN_ENDPOINT", status: 400, oauthError: code, retryable: false });
    expect(isRetryable(error)).toBe(false);
    expect(error.message).toMatch(WHO_ACTS);
    expect(error.message.startsWith(`${WHERE} answered HTTP 400 (${code})`)).toBe(true);
  });

  it.each([
    [{}, "no_access_token"],
    [{ access_token: "2YotnFZFEjr1zCsicMWpAA" }, "opaque_access_token"],
    [{ access_token: unsignedJwt({ sub: "worker" }) }, "access_token_without_exp"],
  ])("a 200 Convex cannot use (%j): %s, definitive, naming who must act", async (body, code) => {
    const error = await errorOf(body, { status: 200 });
    expect(error).toMatchObject({ status: 200, oauthError: code, retryable: false });
    expect(error.message).toMatch(WHO_ACTS);
  });

  it("a 503 without a JSON body: http_503, retryable with its Retry-After, the server must answer", async () => {
    const error = await errorOf("Service Unavailable", { status: 503, headers: { "retry-after": "3" } });
    expect(error).toMatchObject({ oauthError: "http_503", retryable: true, retryAfterMs: 3_000 });
    expect(error.message).toContain("(will retry)");
    expect(error.message).toContain("must answer 200 with an access token");
  });

  it("masks a token or a URL secret in the server's error_description", async () => {
    const leaked = unsignedJwt({ sub: "someone", exp: 2_000_000_000 });
    const description = `token ${leaked} refused at https://user:pw@auth.example.com/x?code=secret`;
    const error = await errorOf({ error: "invalid_grant", error_description: description }, { status: 400 });
    for (const text of [error.message, error.oauthErrorDescription ?? ""]) {
      expect(text).not.toContain(leaked);
      expect(text).not.toMatch(/user:pw|code=secret/);
    }
  });
});
