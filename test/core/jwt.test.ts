import { generateKeyPair, SignJWT, UnsecuredJWT, type JWTPayload } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { InvalidTokenError } from "../../src/core/errors";
import { normalizeIssuer } from "../../src/core/issuer";
import { decodeClaims, type ExpectedClaims } from "../../src/core/jwt";

const ISSUER = "https://auth.example.com";
const APP = "convex";
const NOW_S = 1_800_000_000;

let privateKey: CryptoKey;

beforeAll(async () => {
  ({ privateKey } = await generateKeyPair("RS256"));
});

/** A real RS256 token, as an issuer would mint it (header with kid and typ, like Convex requires). */
async function sign(payload: JWTPayload): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid: "test-key", typ: "JWT" }).sign(privateKey);
}

/** A token with exactly this payload text (for payloads jose would refuse to build). */
function rawToken(payloadJson: string): string {
  const b64 = (text: string) => Buffer.from(text).toString("base64url");
  return `${b64('{"alg":"RS256","typ":"JWT","kid":"test-key"}')}.${b64(payloadJson)}.${"s".repeat(43)}`;
}

/** Run decodeClaims expecting an InvalidTokenError; return it. */
function rejectOf(token: string, expected?: ExpectedClaims): InvalidTokenError {
  try {
    decodeClaims(token, expected);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTokenError);
    return error as InvalidTokenError;
  }
  throw new Error("decodeClaims accepted the token");
}

/** Invariant 7: the message names at most a 6-character suffix of the token, never the token. */
function expectNoWholeToken(error: Error, token: string): void {
  expect(error.message).not.toContain(token);
  // Not even the signature or the payload segment on its own.
  for (const segment of token.split(".")) if (segment.length > 8) expect(error.message).not.toContain(segment);
  expect((error as InvalidTokenError).tokenHint).toBe(`…${token.slice(-6)}`);
}

describe("decodeClaims on a good token", () => {
  it("returns exp and iat in ms, sub, iss and the payload", async () => {
    const token = await sign({ sub: "user-1", iss: ISSUER, aud: APP, iat: NOW_S, exp: NOW_S + 900, role: "admin" });
    const claims = decodeClaims(token);
    expect(claims.exp).toBe((NOW_S + 900) * 1000);
    expect(claims.iat).toBe(NOW_S * 1000);
    expect(claims.sub).toBe("user-1");
    expect(claims.iss).toBe(ISSUER);
    expect(claims.payload.role).toBe("admin");
    expect(claims.payload.aud).toBe(APP);
  });

  it("accepts an unsecured token too (the signature is the backend's job)", () => {
    const token = new UnsecuredJWT({ sub: "u" }).setExpirationTime(NOW_S + 60).encode();
    expect(decodeClaims(token).exp).toBe((NOW_S + 60) * 1000);
  });

  it("passes the expected issuer and applicationID when they match", async () => {
    const token = await sign({ sub: "u", iss: ISSUER, aud: APP, iat: NOW_S, exp: NOW_S + 60 });
    expect(decodeClaims(token, { issuer: ISSUER, applicationID: APP }).sub).toBe("u");
  });

  it("makes iat optional (undefined without it; the manager falls back to receipt time)", async () => {
    const token = await sign({ sub: "u", exp: NOW_S + 60 });
    const claims = decodeClaims(token);
    expect(claims.iat).toBeUndefined();
    expect(claims.exp).toBe((NOW_S + 60) * 1000);
  });

  it("ignores a non-numeric iat or iss rather than mistyping them", () => {
    const claims = decodeClaims(rawToken(`{"exp":${NOW_S},"iat":"${NOW_S}","sub":"u","iss":["a"]}`));
    expect(claims.iat).toBeUndefined();
    expect(claims.iss).toBeUndefined();
  });

  it("keeps fractional exp (some issuers emit them)", () => {
    expect(decodeClaims(rawToken(`{"exp":${NOW_S}.5,"sub":"u"}`)).exp).toBe(NOW_S * 1000 + 500);
  });
});

describe("decodeClaims on malformed input → ERR_TOKEN_MALFORMED", () => {
  const longGarbage = "this-is-not-a-jwt-but-an-html-error-page-from-a-proxy-".repeat(3);
  const cases: Array<[string, string]> = [
    ["empty string", ""],
    ["no dots", longGarbage],
    ["an HTML page", `<!doctype html><html><body>${longGarbage}</body></html>`],
    ["invalid base64 payload", `eyJhbGciOiJSUzI1NiJ9.${"!".repeat(40)}.sig`],
    ["payload of bad length", `eyJhbGciOiJSUzI1NiJ9.${"a".repeat(41)}.sig`],
    ["payload not JSON", rawToken("not json at all, just text that is long")],
    ["payload a JSON array", rawToken(`[{"exp":${NOW_S}}]`)],
    ["payload a JSON number", rawToken(`${NOW_S}`)],
    ["payload JSON null", rawToken("null")],
    // jwt-decode alone reads only the part after the first dot, so these used to be accepted and then rejected
    // by the Convex backend with a far less helpful error.
    ["a JSON object serialized as the token", JSON.stringify({ token: rawToken(`{"exp":${NOW_S}}`) })],
    ["a Bearer prefix", `Bearer ${rawToken(`{"exp":${NOW_S}}`)}`],
    ["a trailing newline (res.text() of a plain-text body)", `${rawToken(`{"exp":${NOW_S}}`)}\n`],
    ["only two parts", rawToken(`{"exp":${NOW_S}}`).split(".").slice(0, 2).join(".")],
    ["four parts", `${rawToken(`{"exp":${NOW_S}}`)}.extra`],
  ];

  it.each(cases)("%s", (_label, token) => {
    const error = rejectOf(token);
    expect(error.code).toBe("ERR_TOKEN_MALFORMED");
    expect(error.name).toBe("InvalidTokenError");
    if (token.length > 6) expectNoWholeToken(error, token);
  });

  it("tells the developer what to return from the fetcher", () => {
    const error = rejectOf(longGarbage);
    expect(error.message).toContain("return the token (or { token }), or null");
  });
});

describe("decodeClaims without a usable exp → ERR_TOKEN_MISSING_EXP", () => {
  it.each([
    ["missing", `{"sub":"u","iat":${NOW_S}}`],
    ["a string", `{"exp":"${NOW_S + 60}"}`],
    ["null", `{"exp":null}`],
    ["infinite (1e400 parses to Infinity)", `{"exp":1e400}`],
  ])("exp %s", (_label, payload) => {
    const token = rawToken(payload);
    const error = rejectOf(token);
    expect(error.code).toBe("ERR_TOKEN_MISSING_EXP");
    expectNoWholeToken(error, token);
    // Says what to change in the issuer.
    expect(error.message).toContain("which Convex requires: make the issuer set it (epoch seconds)");
  });

  it("with a real signed token lacking exp", async () => {
    const token = await sign({ sub: "u", iss: ISSUER, iat: NOW_S });
    const error = rejectOf(token);
    expect(error.code).toBe("ERR_TOKEN_MISSING_EXP");
    expectNoWholeToken(error, token);
  });
});

// The Convex backend matches providers by issuer before anything else ([be] crates/common/src/auth.rs:47-78):
// `https://` is added to a scheme-less issuer and trailing slashes are trimmed; the rest is exact. A mismatch
// surfaces in Convex only as "No auth provider found matching the given token", so we catch it early.
describe("issuer check (Convex backend normalization)", () => {
  async function tokenWithIss(iss: string | undefined): Promise<string> {
    return sign({ sub: "u", aud: APP, iat: NOW_S, exp: NOW_S + 60, ...(iss === undefined ? {} : { iss }) });
  }

  it.each([
    ["identical", "https://auth.example.com", "https://auth.example.com"],
    ["token iss without scheme", "auth.example.com", "https://auth.example.com"],
    ["configured issuer without scheme", "https://auth.example.com", "auth.example.com"],
    ["trailing slash on the token", "https://auth.example.com/", "https://auth.example.com"],
    ["trailing slash on the config", "https://auth.example.com", "https://auth.example.com/"],
    ["several trailing slashes", "https://auth.example.com//", "auth.example.com"],
    ["with a path", "https://example.com/realms/app/", "https://example.com/realms/app"],
    ["http on both sides", "http://localhost:3210", "http://localhost:3210/"],
  ])("matches: %s", async (_label, iss, issuer) => {
    const token = await tokenWithIss(iss);
    expect(decodeClaims(token, { issuer }).iss).toBe(iss);
  });

  it.each([
    ["different host", "https://evil.example.com", "https://auth.example.com"],
    ["case differs (case-sensitive)", "https://Auth.Example.com", "https://auth.example.com"],
    ["http ≠ https", "http://auth.example.com", "https://auth.example.com"],
    ["http ≠ a scheme-less issuer (which means https)", "http://localhost:3210", "localhost:3210"],
    ["different path", "https://example.com/realms/a", "https://example.com/realms/b"],
    ["a path vs none", "https://example.com/app", "https://example.com"],
  ])("mismatch: %s → ERR_TOKEN_ISSUER_MISMATCH", async (_label, iss, issuer) => {
    const token = await tokenWithIss(iss);
    const error = rejectOf(token, { issuer });
    expect(error.code).toBe("ERR_TOKEN_ISSUER_MISMATCH");
    expect(error.message).toContain(JSON.stringify(iss));
    expect(error.message).toContain(JSON.stringify(issuer));
    // What Convex would say, and what to change.
    expect(error.message).toContain("No auth provider found matching the given token");
    expect(error.message).toContain("convex/auth.config.ts");
    expect(error.message).toContain("same URL");
    expectNoWholeToken(error, token);
  });

  it("a missing iss is a mismatch that says so", async () => {
    const token = await tokenWithIss(undefined);
    const error = rejectOf(token, { issuer: ISSUER });
    expect(error.code).toBe("ERR_TOKEN_ISSUER_MISMATCH");
    expect(error.message).toContain("(missing `iss`)");
    expectNoWholeToken(error, token);
  });

  it("a non-string iss is a mismatch", () => {
    const error = rejectOf(rawToken(`{"exp":${NOW_S},"sub":"u","iss":42}`), { issuer: ISSUER });
    expect(error.code).toBe("ERR_TOKEN_ISSUER_MISMATCH");
  });

  it("is not checked when no issuer is expected", async () => {
    expect(decodeClaims(await tokenWithIss("https://anything.example")).iss).toBe("https://anything.example");
    expect(decodeClaims(await tokenWithIss(undefined)).iss).toBeUndefined();
  });
});

describe("normalizeIssuer", () => {
  it("adds https:// to a scheme-less issuer and drops trailing slashes", () => {
    expect(normalizeIssuer("auth.example.com")).toBe("https://auth.example.com");
    expect(normalizeIssuer("auth.example.com/")).toBe("https://auth.example.com");
    expect(normalizeIssuer("https://auth.example.com///")).toBe("https://auth.example.com");
    expect(normalizeIssuer("localhost:3210")).toBe("https://localhost:3210");
  });

  it("keeps an existing scheme and the case", () => {
    expect(normalizeIssuer("http://auth.example.com")).toBe("http://auth.example.com");
    expect(normalizeIssuer("https://Auth.Example.com/Path")).toBe("https://Auth.Example.com/Path");
  });
});

// The backend requires `aud` (a string or an array) to contain the provider's applicationID exactly.
describe("audience check", () => {
  async function tokenWithAud(aud: string | string[] | undefined): Promise<string> {
    return sign({ sub: "u", iss: ISSUER, iat: NOW_S, exp: NOW_S + 60, ...(aud === undefined ? {} : { aud }) });
  }

  it.each([
    ["a string equal to it", APP],
    ["an array containing it", ["api", APP]],
    ["a one-element array", [APP]],
  ])("accepts aud as %s", async (_label, aud) => {
    const token = await tokenWithAud(aud);
    expect(decodeClaims(token, { applicationID: APP }).payload.aud).toEqual(aud);
  });

  it.each([
    ["another string", "api"],
    ["a different case", "Convex"],
    ["a prefix of it", "conv"],
    ["an array without it", ["api", "web"]],
    ["an empty array", []],
  ])("rejects aud as %s → ERR_TOKEN_AUDIENCE_MISMATCH", async (_label, aud) => {
    const token = await tokenWithAud(aud);
    const error = rejectOf(token, { applicationID: APP });
    expect(error.code).toBe("ERR_TOKEN_AUDIENCE_MISMATCH");
    expect(error.message).toContain(JSON.stringify(aud));
    expect(error.message).toContain(JSON.stringify(APP));
    expect(error.message).toContain("Set the issuer's `aud` claim to the provider's `applicationID`");
    expectNoWholeToken(error, token);
  });

  it("a missing aud is a mismatch that says so", async () => {
    const token = await tokenWithAud(undefined);
    const error = rejectOf(token, { applicationID: APP });
    expect(error.code).toBe("ERR_TOKEN_AUDIENCE_MISMATCH");
    expect(error.message).toContain("(missing `aud`)");
    expectNoWholeToken(error, token);
  });

  it("is not checked when no applicationID is expected", async () => {
    expect(decodeClaims(await tokenWithAud(undefined)).sub).toBe("u");
    expect(decodeClaims(await tokenWithAud("whatever")).sub).toBe("u");
  });

  it("checks the issuer before the audience", async () => {
    const token = await sign({ sub: "u", iss: "https://other.example", aud: "api", exp: NOW_S + 60 });
    expect(rejectOf(token, { issuer: ISSUER, applicationID: APP }).code).toBe("ERR_TOKEN_ISSUER_MISMATCH");
  });
});
