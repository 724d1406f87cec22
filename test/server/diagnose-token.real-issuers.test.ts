/**
 * `diagnoseToken` (and so `doctor`) on the pitfalls real issuers hand users, each with a token made that way:
 * EdDSA (Better Auth's default), HS256 (legacy Supabase), a JWKS with the wrong content type or behind
 * authentication, no `kid`, an `aud` array without `applicationID` (Auth0 API tokens), no `iat` (some
 * machine tokens), and an `iss` that differs from `issuer` only by a trailing slash or the scheme. Each
 * finding carries its code, the backend's own words, the party who must act and the fix. The backend's words
 * for EdDSA and HS256 point at the `kid`, which is why a tool must name the real cause.
 */
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { BACKEND_MESSAGES, diagnoseToken, FIXES, type CustomJwtProvider, type Diagnosis } from "../../src/server";
import { createTestIssuer, type TestIssuer } from "../../src/testing";

const T = Date.UTC(2030, 0, 1);
const S = T / 1000;
const ISSUER = "https://issuer.test";

let issuer: TestIssuer;
let provider: CustomJwtProvider;
beforeAll(async () => {
  issuer = await createTestIssuer({ algorithm: "RS256", issuer: ISSUER, now: () => T });
  provider = { ...issuer.provider, jwks: "https://issuer.test/jwks" };
});

/** Diagnose with the JWKS served by a fake `fetch` (status, content type and body as given). */
function diagnose(
  token: string,
  jwks: { status?: number; contentType?: string; body?: unknown } = {},
  providers: CustomJwtProvider[] = [provider],
): Promise<Diagnosis> {
  const body = typeof jwks.body === "string" ? jwks.body : JSON.stringify(jwks.body ?? issuer.jwks());
  const fetch = async () =>
    new Response(body, {
      status: jwks.status ?? 200,
      headers: { "content-type": jwks.contentType ?? "application/json" },
    });
  return diagnoseToken(token, providers, { fetch: fetch as typeof globalThis.fetch, now: T });
}

const finding = (d: Diagnosis, code: string) => d.findings.find((f) => f.code === code);

describe("real issuers' pitfalls: each has its finding, the backend's words and the fix", () => {
  it("EdDSA (Better Auth's jwt plugin default): ALG_EDDSA, though the backend speaks of a missing kid", async () => {
    const { privateKey, publicKey } = await generateKeyPair("EdDSA", { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: "ed-1", alg: "EdDSA" };
    const token = await new SignJWT({ sub: "user_1" })
      .setProtectedHeader({ alg: "EdDSA", kid: "ed-1" })
      .setIssuer(ISSUER)
      .setAudience("convex")
      .setIssuedAt(S)
      .setExpirationTime(S + 900)
      .sign(privateKey);
    const d = await diagnose(token, { body: { keys: [jwk] } });
    expect(d.ok).toBe(false);
    expect(finding(d, "ALG_EDDSA")).toMatchObject({
      check: "kid",
      status: "fail",
      party: "issuer",
      backendMessage: BACKEND_MESSAGES.missingKid,
      fix: FIXES.ALG_EDDSA,
    });
    expect(finding(d, "ALG_EDDSA")!.message).toContain("Better Auth");
    expect(finding(d, "ALG_EDDSA")!.fix).toContain('keyPairConfig: { alg: "RS256" }');
    expect(d.backendError).toEqual({ code: "InvalidAuthHeader", message: BACKEND_MESSAGES.missingKid });
    expect(finding(d, "HEADER_MALFORMED")).toBeUndefined();
  });

  it("HS256 (a Supabase project on the legacy JWT secret): ALG_SYMMETRIC", async () => {
    const secret = new TextEncoder().encode("super-secret-jwt-token-with-at-least-32-characters-long");
    const token = await new SignJWT({ sub: "user_1", role: "authenticated" })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuer(ISSUER)
      .setAudience("convex")
      .setIssuedAt(S)
      .setExpirationTime(S + 3600)
      .sign(secret);
    const d = await diagnose(token);
    expect(finding(d, "ALG_SYMMETRIC")).toMatchObject({
      check: "kid",
      status: "fail",
      party: "issuer",
      backendMessage: BACKEND_MESSAGES.missingKid,
      fix: FIXES.ALG_SYMMETRIC,
    });
    expect(finding(d, "ALG_SYMMETRIC")!.message).toContain("HS256");
    expect(finding(d, "KID_MISSING")).toBeUndefined();
  });

  it.each([
    ["text/plain; charset=utf-8", "."],
    ["text/html", "(an HTML page: a login or error page instead of the JWKS?)."],
  ])("a JWKS served as %s: JWKS_CONTENT_TYPE", async (contentType, ending) => {
    const d = await diagnose(await issuer.mint(), { contentType });
    const f = finding(d, "JWKS_CONTENT_TYPE")!;
    expect(f.backendMessage).toBe(BACKEND_MESSAGES.jwksContentType(contentType, "https://issuer.test/jwks"));
    expect(f.message.endsWith(ending)).toBe(true);
    expect(f.fix).toBe(FIXES.JWKS_CONTENT_TYPE);
  });

  it.each([
    [401, "Unauthorized"],
    [403, "Forbidden"],
  ])("a JWKS behind authentication (HTTP %i): JWKS_AUTH_REQUIRED", async (status, reason) => {
    const d = await diagnose(await issuer.mint(), { status, body: '{"error":"unauthorized"}' });
    const f = finding(d, "JWKS_AUTH_REQUIRED")!;
    expect(f).toMatchObject({ check: "jwks", status: "fail", party: "issuer", fix: FIXES.JWKS_AUTH_REQUIRED });
    expect(f.message).toContain("behind authentication");
    expect(f.backendMessage).toBe(BACKEND_MESSAGES.jwksHttp("https://issuer.test/jwks", status, reason));
    expect(finding(d, "JWKS_HTTP_ERROR")).toBeUndefined();
  });

  it("a token with no kid: KID_MISSING", async () => {
    const d = await diagnose(await issuer.mint({ kid: null }));
    expect(finding(d, "KID_MISSING")).toMatchObject({
      backendMessage: BACKEND_MESSAGES.missingKid,
      fix: FIXES.KID_MISSING,
    });
  });

  it("an aud array without applicationID (an Auth0 API access token): AUDIENCE_MISMATCH naming the array", async () => {
    const aud = ["https://api.example.com", "https://tenant.auth0.com/userinfo"];
    const d = await diagnose(await issuer.mint({ aud }));
    const f = finding(d, "AUDIENCE_MISMATCH")!;
    expect(f.message).toContain("aud is an array");
    expect(f.message).toContain(JSON.stringify(aud));
    expect(f.backendMessage).toContain("No auth provider found matching the given token");
    expect(d.backendError?.code).toBe("NoAuthProvider");
  });

  it("no iat (some machine tokens): accepted, IAT_MISSING says what Convex's client does", async () => {
    const d = await diagnose(await issuer.mint({ iat: null }));
    expect(d.ok).toBe(true);
    expect(finding(d, "IAT_MISSING")).toMatchObject({ status: "warn", fix: FIXES.IAT_MISSING });
    expect(finding(d, "IAT_MISSING")!.message).toContain("cannot schedule a refresh");
  });

  it("an iss that differs only by a trailing slash (Auth0's): accepted, ISSUER_TRAILING_SLASH warning", async () => {
    const d = await diagnose(await issuer.mint({ iss: `${ISSUER}/` }));
    expect(d.ok).toBe(true);
    expect(finding(d, "ISSUER_TRAILING_SLASH")).toMatchObject({
      check: "provider",
      status: "warn",
      party: "auth.config",
      fix: FIXES.ISSUER_TRAILING_SLASH,
    });
    expect(d.provider).toBeDefined();
  });

  it("an iss that differs only by the scheme (http behind a TLS proxy): ISSUER_MISMATCH saying so", async () => {
    const d = await diagnose(await issuer.mint({ iss: "http://issuer.test" }));
    const f = finding(d, "ISSUER_MISMATCH")!;
    expect(f.message).toContain("only the scheme differs");
    expect(f.backendMessage).toContain("No auth provider found matching the given token");
    // A case difference is not a scheme difference.
    const upper = await diagnose(await issuer.mint({ iss: "https://Issuer.test" }));
    expect(finding(upper, "ISSUER_MISMATCH")!.message).not.toContain("only the scheme differs");
  });
});
