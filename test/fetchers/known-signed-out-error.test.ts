/**
 * isKnownSignedOutError: the SDK errors that mean "sign in again", and the ones that must never sign a user
 * out (network, quota, server errors; MCPJam/inspector PR #4403: "one wifi blip … kill[s] the session").
 */
import { describe, expect, it } from "vitest";
import { isKnownSignedOutError } from "../../src/fetchers/known-signed-out-error";

const withFields = (fields: Record<string, unknown>) => Object.assign(new Error("sdk error"), fields);

describe("isKnownSignedOutError", () => {
  it.each([
    ["Auth0 login_required", withFields({ error: "login_required", error_description: "Login required" })],
    ["Auth0 missing_refresh_token", withFields({ error: "missing_refresh_token" })],
    ["Auth0 invalid_grant", withFields({ error: "invalid_grant" })],
    ["Auth0 consent_required", withFields({ error: "consent_required" })],
    ["Firebase user-token-expired", withFields({ code: "auth/user-token-expired" })],
    ["Firebase user-disabled", withFields({ code: "auth/user-disabled" })],
    ["Supabase refresh_token_not_found", withFields({ code: "refresh_token_not_found", status: 400 })],
    ["Supabase session_not_found", withFields({ code: "session_not_found" })],
    [
      "Supabase AuthSessionMissingError",
      Object.assign(new Error("Auth session missing!"), { name: "AuthSessionMissingError" }),
    ],
  ])("%s: signed out", (_name, error) => {
    expect(isKnownSignedOutError(error)).toBe(true);
  });

  it.each([
    ["a network TypeError", new TypeError("Failed to fetch")],
    ["Firebase network-request-failed", withFields({ code: "auth/network-request-failed" })],
    ["Firebase quota-exceeded", withFields({ code: "auth/quota-exceeded" })],
    ["Auth0 timeout", withFields({ error: "timeout" })],
    [
      "Supabase AuthRetryableFetchError",
      Object.assign(new Error("fetch failed"), { name: "AuthRetryableFetchError", status: 0 }),
    ],
    ["a 401 without a known code", withFields({ status: 401 })],
    ["a string", "login_required"],
    ["null", null],
    ["undefined", undefined],
  ])("%s: not signed out", (_name, error) => {
    expect(isKnownSignedOutError(error)).toBe(false);
  });

  it("never throws, even on a hostile error whose getters throw", () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error("boom");
        },
      },
    );
    expect(isKnownSignedOutError(hostile)).toBe(false);
  });
});
