/**
 * The token endpoint as plain Request → Response, and read by the real token manager: a subject is a token,
 * `null` signs the user out, a throw is retried and never signs anyone out (the pain point: a session store
 * blip that logs every user out), and no error text ever reaches the response.
 */
import { createLocalJWKSet, jwtVerify } from "jose";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { createTokenManager, httpTokenFetcher } from "../../src/index";
import { AuthenticateAnswerError, createIssuer, tokenHandler, type Issuer } from "../../src/issuer/index";
import { createFakeClock } from "../../src/testing/index";
import { keyForms } from "./keys";

const T = Date.UTC(2030, 0, 1);
const SECRET = "postgres://app:hunter2@db.internal/sessions";
let issuer: Issuer;
beforeAll(async () => {
  const key = await keyForms("ES256");
  issuer = await createIssuer({
    issuer: "https://auth.test",
    applicationID: "convex",
    keys: [{ kid: "k1", privateKey: key.pem }],
    clock: { now: () => T },
  });
});

const get = (init?: RequestInit) => new Request("https://app.test/api/convex-token", init);
const headersOf = (r: Response) => {
  const out: Record<string, string> = {};
  r.headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
};

describe("tokenHandler answers", () => {
  it("a subject: 200 { token, expiresAt }, no-store; the token is the issuer's", async () => {
    const handler = tokenHandler(issuer, { authenticate: () => "user_1" });
    const response = await handler(get());
    expect(response.status).toBe(200);
    expect(headersOf(response)).toEqual({ "content-type": "application/json", "cache-control": "no-store" });
    const body = (await response.json()) as { token: string; expiresAt: number };
    expect(body.expiresAt).toBe(T + 900_000);
    const { payload } = await jwtVerify(body.token, createLocalJWKSet(issuer.jwks()), { currentDate: new Date(T) });
    expect(payload.sub).toBe("user_1");
  });

  it("{ subject, claims } puts the claims in the token; POST works like GET", async () => {
    const handler = tokenHandler(issuer, {
      authenticate: async (request) => ({ subject: request.headers.get("x-user")!, claims: { plan: "pro" } }),
    });
    const response = await handler(get({ method: "POST", headers: { "x-user": "user_2" }, body: "{}" }));
    const { token } = (await response.json()) as { token: string };
    const { payload } = await jwtVerify(token, createLocalJWKSet(issuer.jwks()), { currentDate: new Date(T) });
    expect(payload).toMatchObject({ sub: "user_2", plan: "pro" });
  });

  it("null: 401 signed_out, no-store", async () => {
    const response = await tokenHandler(issuer, { authenticate: () => null })(get());
    expect([response.status, response.headers.get("cache-control"), await response.json()]).toEqual([
      401,
      "no-store",
      { error: "signed_out" },
    ]);
  });

  it("a throw: 503 with Retry-After, never the error's text; onError gets it (and may throw)", async () => {
    const onError = vi.fn(() => {
      throw new Error("the hook is broken too");
    });
    const handler = tokenHandler(issuer, {
      authenticate: () => Promise.reject(new Error(`session store down: ${SECRET}`)),
      retryAfterSec: 7,
      onError,
    });
    const response = await handler(get());
    expect([response.status, response.headers.get("retry-after"), response.headers.get("cache-control")]).toEqual([
      503,
      "7",
      "no-store",
    ]);
    const text = await response.text();
    expect(text).toBe('{"error":"unavailable"}');
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: expect.stringContaining(SECRET) }), 503);
  });

  it("the default onError logs the failure on the server, with the status it answered", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const error = new Error("down");
    await tokenHandler(issuer, { authenticate: () => Promise.reject(error) })(get());
    expect(log).toHaveBeenCalledWith("convex-custom-jwt tokenHandler answered 503 (authenticate threw):", error);
  });

  it.each([
    ["undefined (a forgotten return)", undefined, /returned undefined/],
    ["an empty id", "", /returned ""/],
    ["a subject that is not a string", { subject: 42 }, /returned object/],
  ])("a bad answer, %s: 500 internal, and onError says what to return", async (_name, answer, message) => {
    const errors: unknown[] = [];
    const response = await tokenHandler(issuer, {
      authenticate: () => answer as never,
      onError: (e) => errors.push(e),
    })(get());
    expect([response.status, await response.json()]).toEqual([500, { error: "internal" }]);
    expect(errors[0]).toBeInstanceOf(AuthenticateAnswerError);
    expect(errors[0]).toMatchObject({ code: "ERR_AUTHENTICATE_ANSWER", message: expect.stringMatching(message) });
    expect((errors[0] as Error).message).toMatch(/return the user's id .* or null when nobody is signed in/);
  });

  it("claims the issuer sets: 500, the mint's TypeError goes to onError only", async () => {
    const errors: unknown[] = [];
    const handler = tokenHandler(issuer, {
      authenticate: () => ({ subject: "u", claims: { sub: SECRET } }),
      onError: (e) => errors.push(e),
    });
    const response = await handler(get());
    expect([response.status, await response.text()]).toEqual([500, '{"error":"internal"}']);
    expect(errors[0]).toBeInstanceOf(TypeError);
  });

  it("other methods: 405 with Allow", async () => {
    const response = await tokenHandler(issuer, { authenticate: () => "u" })(get({ method: "PUT" }));
    expect([response.status, response.headers.get("allow")]).toEqual([405, "GET, POST"]);
  });

  it("bad options are TypeErrors naming the option", () => {
    expect(() => tokenHandler({} as never, { authenticate: () => "u" })).toThrow(/`issuer` must be the issuer/);
    expect(() => tokenHandler(issuer, {} as never)).toThrow(/`authenticate` must be a function/);
    expect(() => tokenHandler(issuer, { authenticate: () => "u", retryAfterSec: 1.5 })).toThrow(/`retryAfterSec`/);
  });
});

describe("the token manager reads the answers (httpTokenFetcher)", () => {
  it("200 is a token, a throw is retried after Retry-After with the user still signed in, null signs out", async () => {
    const clock = createFakeClock({ now: T });
    let state: "up" | "down" | "out" = "down";
    const handler = tokenHandler(issuer, {
      authenticate: () => {
        if (state === "down") throw new Error(SECRET);
        return state === "up" ? "user_1" : null;
      },
      retryAfterSec: 3,
      onError: () => {},
    });
    const manager = createTokenManager({
      clock,
      fetchToken: httpTokenFetcher({
        url: "https://app.test/api/convex-token",
        fetch: (url, init) => handler(new Request(url, init)),
      }),
    });
    const errors: { retryAt: number; exhausted: boolean }[] = [];
    manager.on("error", (e) => errors.push(e));
    const first = manager.getToken();
    await clock.advance(0);
    expect(errors).toEqual([expect.objectContaining({ retryAt: T + 3_000, exhausted: false })]);
    expect(manager.getSnapshot().status).not.toBe("signedOut");
    state = "up";
    await clock.advance(3_000);
    expect(await first).toMatch(/^ey/);
    state = "out";
    await expect(manager.getToken({ forceRefresh: true })).resolves.toBeNull();
    expect(manager.getSnapshot().status).toBe("signedOut");
    manager.dispose();
  });
});
