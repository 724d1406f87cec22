import { describe, expect, it } from "vitest";
import {
  describe as describeError,
  InvalidTokenError,
  TokenEndpointError,
  TokenFetchError,
  TokenFetchTimeoutError,
  TokenManagerDisposedError,
  TokenManagerError,
  redact,
  tokenHint,
} from "../../src/core/errors";

const TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEyMyIsImV4cCI6MTgwMDAwMDAwMH0.c2lnbmF0dXJlLWJ5dGVzLXh5ejEyMw";

/** One instance of every class, with the code it must carry. */
const cases = [
  {
    error: new TokenManagerError("ERR_TOKEN_FETCH_FAILED", "base"),
    name: "TokenManagerError",
    code: "ERR_TOKEN_FETCH_FAILED",
  },
  { error: new TokenFetchError(3, new Error("boom")), name: "TokenFetchError", code: "ERR_TOKEN_FETCH_FAILED" },
  { error: new TokenFetchTimeoutError(10_000), name: "TokenFetchTimeoutError", code: "ERR_TOKEN_FETCH_TIMEOUT" },
  {
    error: new TokenEndpointError(503, "down", { retryable: true }),
    name: "TokenEndpointError",
    code: "ERR_TOKEN_ENDPOINT",
  },
  {
    error: new InvalidTokenError("ERR_TOKEN_MISSING_EXP", "no exp", TOKEN),
    name: "InvalidTokenError",
    code: "ERR_TOKEN_MISSING_EXP",
  },
  { error: new TokenManagerDisposedError(), name: "TokenManagerDisposedError", code: "ERR_TOKEN_MANAGER_DISPOSED" },
] as const;

describe("error classes", () => {
  it.each(cases)(
    "$name has name = class name, a stable code, and is a TokenManagerError and an Error",
    ({ error, name, code }) => {
      expect(error.name).toBe(name);
      expect(error.constructor.name).toBe(name);
      expect(error.code).toBe(code);
      expect(error).toBeInstanceOf(TokenManagerError);
      expect(error).toBeInstanceOf(Error);
      expect(error.message.length).toBeGreaterThan(0);
      expect(typeof error.stack).toBe("string");
      expect(Object.prototype.toString.call(error)).toBe("[object Error]");
      // `String(err)` starts with the class name, so logs tell errors apart.
      expect(String(error).startsWith(`${name}: `)).toBe(true);
    },
  );

  it("classes are distinct (instanceof does not cross between siblings)", () => {
    expect(new TokenFetchTimeoutError(1)).not.toBeInstanceOf(TokenEndpointError);
    expect(new TokenEndpointError(500, "x", { retryable: true })).not.toBeInstanceOf(InvalidTokenError);
    expect(new InvalidTokenError("ERR_TOKEN_MALFORMED", "x", "abc")).not.toBeInstanceOf(TokenFetchError);
  });

  it("a subclass of a subclass also reports its own name", () => {
    class MyEndpointError extends TokenEndpointError {}
    const error = new MyEndpointError(500, "x", { retryable: true });
    expect(error.name).toBe("MyEndpointError");
    expect(error).toBeInstanceOf(TokenEndpointError);
  });
});

describe("TokenManagerError", () => {
  it("keeps the cause when given", () => {
    const cause = new Error("root");
    expect(new TokenManagerError("ERR_TOKEN_FETCH_FAILED", "x", { cause }).cause).toBe(cause);
  });
});

describe("TokenFetchError", () => {
  it("keeps the last failure as cause and the number of attempts", () => {
    const cause = new TypeError("Failed to fetch");
    const error = new TokenFetchError(4, cause);
    expect(error.cause).toBe(cause);
    expect(error.attempts).toBe(4);
    expect(error.message).toContain("4 attempts");
    expect(error.message).toContain("Failed to fetch");
  });

  it("says 'attempt' in the singular for one attempt", () => {
    expect(new TokenFetchError(1, "x").message).toContain("after 1 attempt:");
  });

  it("hints at what to do", () => {
    expect(new TokenFetchError(2, new Error("x")).message).toMatch(/Check the token endpoint/);
  });

  it("keeps a non-Error cause as is", () => {
    const cause = { status: 503 };
    expect(new TokenFetchError(2, cause).cause).toBe(cause);
  });
});

describe("TokenFetchTimeoutError", () => {
  it("carries the timeout and says which option to raise", () => {
    const error = new TokenFetchTimeoutError(7500);
    expect(error.timeoutMs).toBe(7500);
    expect(error.message).toContain("7500 ms");
    expect(error.message).toContain("fetchTimeoutMs");
  });
});

describe("TokenEndpointError", () => {
  it("carries status, retryable, retryAfterMs and cause", () => {
    const cause = new Error("upstream");
    const error = new TokenEndpointError(429, "slow down", { retryable: true, retryAfterMs: 7000, cause });
    expect(error.status).toBe(429);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(7000);
    expect(error.cause).toBe(cause);
    expect(error.message).toBe("slow down");
  });

  it("leaves retryAfterMs undefined when not given", () => {
    expect(new TokenEndpointError(503, "down", { retryable: true }).retryAfterMs).toBeUndefined();
  });
});

describe("InvalidTokenError", () => {
  // Invariant 7: a whole token never appears in an error, only a short suffix to tell tokens apart.
  it("keeps only a 6-character hint of the token, never the token", () => {
    const error = new InvalidTokenError("ERR_TOKEN_ISSUER_MISMATCH", "wrong issuer", TOKEN);
    expect(error.tokenHint).toBe(`…${TOKEN.slice(-6)}`);
    expect(JSON.stringify(error)).not.toContain(TOKEN);
    expect(Object.values(error).join(" ")).not.toContain(TOKEN);
    expect(String(error)).not.toContain(TOKEN);
  });
});

describe("TokenManagerDisposedError", () => {
  it("says how to recover", () => {
    expect(new TokenManagerDisposedError().message).toContain("createTokenManager()");
  });
});

describe("tokenHint", () => {
  it("is an ellipsis and the last 6 characters", () => {
    expect(tokenHint(TOKEN)).toBe(`…${TOKEN.slice(-6)}`);
    expect(tokenHint(TOKEN)).toHaveLength(7);
    expect(tokenHint("abc")).toBe("…abc");
  });
});

describe("describe", () => {
  it("uses an Error's message, else its name", () => {
    expect(describeError(new Error("boom"))).toBe("boom");
    expect(describeError(new TypeError())).toBe("TypeError");
  });

  it("stringifies anything else", () => {
    expect(describeError("text")).toBe("text");
    expect(describeError(42)).toBe("42");
    expect(describeError(null)).toBe("null");
    expect(describeError(undefined)).toBe("undefined");
  });
});

describe("redact", () => {
  it("masks a URL's userinfo and query string, and a query string with no URL around it", () => {
    expect(redact("GET https://user:pass@auth.example.com/token?id_token=abc failed")).toBe(
      "GET https://auth.example.com/token?… failed",
    );
    // A value that is not a URL (a typo in an option) must not show its credential either.
    expect(redact('"not a url?token=secret"')).toBe('"not a url?…"');
    expect(redact("https://auth.example.com?client_secret=s3cret")).not.toContain("s3cret");
  });
});
