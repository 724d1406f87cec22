/**
 * Claim checks and decoding at their edges, from mutation testing's survivors: every refusal names the claim,
 * why Convex cares, and that the issuer must fix it; the decoder reads the header and the payload apart (what
 * `diagnoseToken` shows) and refuses a part that is not base64url, saying which one.
 */
import { describe, expect, it } from "vitest";
import { InvalidTokenError } from "../../src/core/errors";
import { decodeClaims, decodeJwt, decodeJwtPart } from "../../src/core/jwt";

const NOW_S = 1_800_000_000;
const b64 = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
const HEADER = { alg: "RS256", typ: "JWT", kid: "key-1" };
const token = (payload: unknown, header: unknown = HEADER) => `${b64(header)}.${b64(payload)}.${"s".repeat(43)}`;
const claims = { iss: "https://issuer.test", sub: "user_1", aud: "convex", iat: NOW_S, exp: NOW_S + 900 };

function rejectOf(raw: string, expected?: { issuer?: string; applicationID?: string }): InvalidTokenError {
  try {
    decodeClaims(raw, expected);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTokenError);
    return error as InvalidTokenError;
  }
  throw new Error("decodeClaims accepted the token");
}

describe("a value that is not a JWT (ERR_TOKEN_MALFORMED) says why, and what an endpoint may have added", () => {
  it("not three parts", () => {
    const error = rejectOf("Bearer abc");
    expect(error.code).toBe("ERR_TOKEN_MALFORMED");
    expect(error.message).toContain("not three base64url parts separated by dots");
    expect(error.message).toContain('a "Bearer " prefix, quotes or JSON around the token are not a JWT.');
  });

  it("a payload that is JSON but not an object", () => {
    expect(rejectOf(token([1, 2])).message).toContain("the payload is not a JSON object");
  });
});

describe("decodeJwt and decodeJwtPart (what diagnoseToken and the local deployment read)", () => {
  it("read the header and the payload apart", () => {
    const raw = token(claims);
    expect(decodeJwt(raw)).toEqual({ header: HEADER, payload: claims });
    expect(decodeJwtPart(raw, "header")).toEqual(HEADER);
    expect(decodeJwtPart(raw, "payload")).toEqual(claims);
  });

  it("refuse only the part that is missing or not base64url (no padding, no + or /), naming it", () => {
    const badPayload = `${b64(HEADER)}.${b64(claims).slice(0, 8)}+/${b64(claims).slice(8)}.sig`;
    expect(decodeJwtPart(badPayload, "header")).toEqual(HEADER);
    expect(() => decodeJwtPart(badPayload, "payload")).toThrow("the payload is not base64url");
    const badHeader = `${b64(HEADER)}==.${b64(claims)}.sig`;
    expect(decodeJwtPart(badHeader, "payload")).toEqual(claims);
    expect(() => decodeJwtPart(badHeader, "header")).toThrow("the header is not base64url");
    expect(() => decodeJwtPart("no-dots-at-all", "payload")).toThrow("the payload is not base64url");
  });
});

describe("claims Convex requires", () => {
  it("an exp of 1e11 or more is not in seconds (ERR_TOKEN_EXP_NOT_SECONDS), and the issuer is told so", () => {
    expect(decodeClaims(token({ ...claims, exp: 1e11 - 1 })).exp).toBe((1e11 - 1) * 1000);
    const error = rejectOf(token({ ...claims, exp: 1e11 }));
    expect(error.code).toBe("ERR_TOKEN_EXP_NOT_SECONDS");
    const ms = rejectOf(token({ ...claims, exp: NOW_S * 1000 }));
    expect(ms.message).toContain("has an `exp` of 1800000000000, which is not in epoch seconds (it looks like");
    expect(ms.message).toContain("milliseconds, or lies beyond any date): make the issuer set `exp` in seconds");
  });

  it("a missing, empty or non-string sub is refused (ERR_TOKEN_MISSING_SUB): the issuer must set the user's id", () => {
    for (const sub of [undefined, "", 42]) {
      const error = rejectOf(token({ ...claims, sub }));
      expect(error.code).toBe("ERR_TOKEN_MISSING_SUB");
      expect(error.message).toContain("make the issuer set `sub` to the user's id.");
    }
  });

  it("an audience mismatch says where to set applicationID on both sides", () => {
    const error = rejectOf(token({ ...claims, aud: "other" }), { applicationID: "convex" });
    expect(error.code).toBe("ERR_TOKEN_AUDIENCE_MISMATCH");
    expect(error.message).toContain("in convex/auth.config.ts, and pass that value as `applicationID`.");
  });
});
