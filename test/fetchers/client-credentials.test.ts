/**
 * clientCredentialsFetcher against msw: the request it sends (RFC 6749 §4.4, §2.3.1; RFC 8707) and how it
 * reads each answer. The same fetcher runs against a real OAuth server in test/issuers/oidc-provider.test.ts.
 */
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TokenFetchError } from "../../src/core/errors";
import { isRetryable } from "../../src/core/retry";
import { TokenManager } from "../../src/core/token-manager";
import type { FetchContext } from "../../src/core/types";
import { clientCredentialsFetcher } from "../../src/fetchers/client-credentials";
import { OAuthTokenError } from "../../src/fetchers/oauth-token-error";
import { unsignedJwt } from "../../src/testing/unsigned-jwt";

const TOKEN_URL = "https://auth.example.com/oauth/token";
const SECRET = "s3cret:with spaces&symbols";
const now = () => Math.floor(Date.now() / 1000);
const accessToken = (claims: Record<string, unknown> = {}) =>
  unsignedJwt({
    sub: "worker",
    iss: "https://auth.example.com",
    aud: "convex",
    iat: now(),
    exp: now() + 300,
    ...claims,
  });

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function context(overrides: Partial<FetchContext> = {}): FetchContext {
  return { signal: new AbortController().signal, reason: "initial", attempt: 1, ...overrides };
}

const fetcher = (overrides: Partial<Parameters<typeof clientCredentialsFetcher>[0]> = {}) =>
  clientCredentialsFetcher({ tokenUrl: TOKEN_URL, clientId: "worker 1", clientSecret: SECRET, ...overrides });

/** Answer the token endpoint with `body` and `status`, recording each request. */
function answer(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}) {
  const requests: { headers: Headers; form: URLSearchParams }[] = [];
  server.use(
    http.post(TOKEN_URL, async ({ request }) => {
      requests.push({ headers: request.headers, form: new URLSearchParams(await request.text()) });
      return typeof body === "string" ? new HttpResponse(body, init) : HttpResponse.json(body as object, init);
    }),
  );
  return requests;
}

async function errorOf(promise: Promise<unknown>): Promise<OAuthTokenError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OAuthTokenError);
  return error as OAuthTokenError;
}

describe("clientCredentialsFetcher: the request", () => {
  it("sends Basic over form-encoded credentials, and asks for resource, audience and scope", async () => {
    const token = accessToken();
    const requests = answer({ access_token: token, token_type: "Bearer", expires_in: 300 });
    const fetch = fetcher({
      resource: ["https://api.example.com/a", "https://api.example.com/b"],
      audience: "convex",
      scope: ["convex:read", "convex:write"],
      extraParams: { organization: "org_1" },
    });
    await expect(fetch(context())).resolves.toBe(token);
    const { headers, form } = requests[0]!;
    const basic = atob(headers.get("authorization")!.replace(/^Basic /, ""));
    expect(basic).toBe("worker+1:s3cret%3Awith+spaces%26symbols"); // RFC 6749 §2.3.1: form-encoded, then Basic
    expect(headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(form.get("grant_type")).toBe("client_credentials");
    expect(form.getAll("resource")).toEqual(["https://api.example.com/a", "https://api.example.com/b"]);
    expect(form.get("audience")).toBe("convex");
    expect(form.get("scope")).toBe("convex:read convex:write");
    expect(form.get("organization")).toBe("org_1");
    expect(form.has("client_secret")).toBe(false);
  });

  it("sends the credentials in the body with client_secret_post, and no Authorization header", async () => {
    const requests = answer({ access_token: accessToken(), token_type: "Bearer", expires_in: 300 });
    await fetcher({ authMethod: "client_secret_post" })(context());
    const { headers, form } = requests[0]!;
    expect(headers.has("authorization")).toBe(false);
    expect(form.get("client_id")).toBe("worker 1");
    expect(form.get("client_secret")).toBe(SECRET);
    expect(form.has("scope")).toBe(false);
    expect(form.has("resource")).toBe(false);
  });
});

describe("clientCredentialsFetcher: definitive failures say what to fix", () => {
  it.each([400, 401])(
    "%i invalid_client: not retried, names clientId/clientSecret, never the secret",
    async (status) => {
      answer({ error: "invalid_client", error_description: "client authentication failed" }, { status });
      const error = await errorOf(fetcher()(context()));
      expect(error.code).toBe("ERR_TOKEN_ENDPOINT");
      expect(error.oauthError).toBe("invalid_client");
      expect(error.oauthErrorDescription).toBe("client authentication failed");
      expect(error.status).toBe(status);
      expect(error.retryable).toBe(false);
      expect(isRetryable(error)).toBe(false);
      expect(error.message).toContain("`clientId` and `clientSecret`");
      expect(error.message).toContain("client authentication failed");
      expect(error.message).not.toContain("s3cret");
    },
  );

  it.each([
    ["unauthorized_client", "client_credentials grant"],
    ["invalid_scope", "`scope`"],
    ["invalid_target", "`resource`"],
    ["unsupported_grant_type", "enable it"],
  ])("400 %s names what to change", async (code, advice) => {
    answer({ error: code }, { status: 400 });
    const error = await errorOf(fetcher()(context()));
    expect(error.oauthError).toBe(code);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(advice);
  });

  it("an opaque access token: says Convex needs a JWT, with the server's expires_in", async () => {
    answer({ access_token: "2YotnFZFEjr1zCsicMWpAA", token_type: "Bearer", expires_in: 3600 });
    const error = await errorOf(fetcher()(context()));
    expect(error.oauthError).toBe("opaque_access_token");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("opaque access token (expires_in 3600 s)");
    expect(error.message).toContain("JWT access tokens");
  });

  it("a JWT access token without exp: says Convex requires exp", async () => {
    answer({ access_token: accessToken({ exp: undefined }), expires_in: 300 });
    const error = await errorOf(fetcher()(context()));
    expect(error.oauthError).toBe("access_token_without_exp");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("without `exp` (expires_in 300 s)");
  });

  it("a 200 without access_token", async () => {
    answer("<html>login</html>", { headers: { "content-type": "text/html" } });
    const error = await errorOf(fetcher()(context()));
    expect(error.oauthError).toBe("no_access_token");
    expect(error.message).toContain("`tokenUrl`");
  });
});

describe("clientCredentialsFetcher: transient failures are retried", () => {
  it.each([500, 502, 503, 429, 408])("%i is retryable", async (status) => {
    answer({ error: "temporarily_unavailable" }, { status, headers: { "retry-after": "7" } });
    const error = await errorOf(fetcher()(context()));
    expect(error.retryable).toBe(true);
    expect(isRetryable(error)).toBe(true);
    expect(error.retryAfterMs).toBe(7_000);
    expect(error.message).toContain("(will retry)");
  });

  it("a 5xx without a JSON body still gets a code", async () => {
    answer("Bad Gateway", { status: 502 });
    const error = await errorOf(fetcher()(context()));
    expect(error.oauthError).toBe("http_502");
  });

  it("a network error is a TypeError (retried) without the URL's query string or userinfo", async () => {
    const error = await fetcher({
      tokenUrl: "https://user:pw@auth.example.com/oauth/token?tenant=secret",
      fetch: async () => {
        throw new TypeError("fetch failed");
      },
    })(context()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(isRetryable(error)).toBe(true);
    expect(String(error)).toContain("https://auth.example.com/oauth/token?…");
    expect(String(error)).not.toMatch(/user:pw|tenant=secret/);
  });

  it("an abort rethrows the abort as it is", async () => {
    const controller = new AbortController();
    const reason = new DOMException("stop", "AbortError");
    const promise = fetcher({
      fetch: (_url, init) =>
        new Promise((_resolve, reject) => init!.signal!.addEventListener("abort", () => reject(init!.signal!.reason))),
    })(context({ signal: controller.signal }));
    controller.abort(reason);
    await expect(promise).rejects.toBe(reason);
  });
});

describe("clientCredentialsFetcher with the manager", () => {
  it("invalid_client reaches the caller after one try (no retry storm), cause kept", async () => {
    const requests = answer({ error: "invalid_client" }, { status: 401 });
    const manager = new TokenManager({ fetchToken: fetcher() });
    const error = await manager.getToken().catch((e: unknown) => e);
    manager.dispose();
    expect(error).toBeInstanceOf(TokenFetchError);
    expect((error as TokenFetchError).cause).toBeInstanceOf(OAuthTokenError);
    // The cause's message reads as one sentence inside the manager's: no doubled full stop.
    expect((error as TokenFetchError).message).toContain("or the reverse). Check the token endpoint");
    expect(requests).toHaveLength(1);
  });
});

describe("clientCredentialsFetcher: options", () => {
  it.each([
    [{}, "`tokenUrl` is required"],
    [{ tokenUrl: TOKEN_URL, clientId: "", clientSecret: "x" }, "`clientId` is required"],
    [{ tokenUrl: TOKEN_URL, clientId: "a" }, "`clientSecret` is required"],
    [{ tokenUrl: TOKEN_URL, clientId: "a", clientSecret: "b", authMethod: "private_key_jwt" }, "`authMethod` must be"],
  ])("%j throws a TypeError naming the option", (options, message) => {
    expect(() => clientCredentialsFetcher(options as never)).toThrow(TypeError);
    expect(() => clientCredentialsFetcher(options as never)).toThrow(message);
  });
});
