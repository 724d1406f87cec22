/**
 * The serving rules at their edges (`usable`, `live`) and the error for a token that arrives too short-lived
 * (`arrivedTooShort`). Each boundary is one of the library's promises: never serve a token past its serving
 * limit, never hand out an expired one (whatever `minValidityMs` asked), and stop holding it once it expires.
 */
import { describe, expect, it } from "vitest";
import { InvalidTokenError } from "../../src/core/errors";
import { isRetryable } from "../../src/core/retry";
import { arrivedTooShort, live, usable } from "../../src/core/state";
import { unsignedJwt } from "../../src/testing/unsigned-jwt";
import { held } from "./held-fixture";

describe("usable: may this token be handed to a caller now?", () => {
  it("without minValidityMs: up to, not at, its serving limit", () => {
    expect(usable(held, held.serveUntil - 1, undefined)).toBe(true);
    expect(usable(held, held.serveUntil, undefined)).toBe(false);
  });

  it("with minValidityMs: when exactly that much validity is left, and not a millisecond less", () => {
    expect(usable(held, held.expiresAt - 20_000, 20_000)).toBe(true);
    expect(usable(held, held.expiresAt - 19_999, 20_000)).toBe(false);
  });

  it("never once it has expired, even for a caller asking for no validity at all", () => {
    expect(usable(held, held.expiresAt - 1, 0)).toBe(true);
    expect(usable(held, held.expiresAt, 0)).toBe(false);
    expect(usable(held, held.expiresAt + 60_000, 0)).toBe(false);
  });
});

describe("live: is the token still held (while fetching or retrying)?", () => {
  it("until its expiry, and not from that moment on", () => {
    expect(live(held, held.expiresAt - 1)).toBe(held);
    expect(live(held, held.expiresAt)).toBeUndefined();
    expect(live(held, held.expiresAt + 3_600_000)).toBeUndefined();
    expect(live(undefined, 0)).toBeUndefined();
  });
});

describe("arrivedTooShort: a token that arrived with less validity than a served token keeps", () => {
  it("is ERR_TOKEN_TOO_SHORT_LIVED, retried, and says how short, the margin, and who must act", () => {
    const raw = unsignedJwt({ sub: "user_1", exp: 1_800_000_000, note: "x".repeat(40) });
    const error = arrivedTooShort(2_000, 9_000, raw);
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(error.code).toBe("ERR_TOKEN_TOO_SHORT_LIVED");
    expect(isRetryable(error)).toBe(true); // it may come right next time
    expect(error.message).toContain("arrived valid for 2 s, less than the 9 s a served token must keep");
    expect(error.message).toContain("(`minValidityMs`, at most 10% of its lifetime): it is retried with backoff");
    expect(error.message).toContain("Make the issuer mint longer-lived tokens");
    expect(error.message).toContain("or the token endpoint stop handing out tokens this close to `exp`");
    expect(error.message).not.toContain(raw);
  });
});
