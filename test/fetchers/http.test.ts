import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { TokenEndpointError } from "../../src/core/errors";
import { httpTokenFetcher } from "../../src/fetchers/http";
import { isRetryable } from "../../src/core/retry";
import type { FetchContext } from "../../src/core/types";

const URL_ = "https://app.example.com/api/convex-token";
const JWT = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEiLCJleHAiOjE4MDAwMDAwMDB9.c2lnbmF0dXJl";

const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  vi.useRealTimers();
});
afterAll(() => server.close());

function context(overrides: Partial<FetchContext> = {}): FetchContext {
  return { signal: new AbortController().signal, reason: "initial", attempt: 1, ...overrides };
}

/** Answer GET (or POST) on the token URL with this resolver. */
function endpoint(resolver: Parameters<typeof http.get>[1], method: "get" | "post" = "get") {
  server.use(http[method](URL_, resolver));
}

/** Await a rejection and return the error (fails the test if the promise resolves). */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  const result = await promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.value)}`);
  return result.error;
}

async function endpointErrorOf(promise: Promise<unknown>): Promise<TokenEndpointError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(TokenEndpointError);
  return error as TokenEndpointError;
}

describe("httpTokenFetcher: successful responses", () => {
  it("returns json.token from a 200", async () => {
    endpoint(() => HttpResponse.json({ token: JWT }));
    await expect(httpTokenFetcher({ url: URL_ })(context())).resolves.toBe(JWT);
  });

  it("falls back to access_token, then jwt", async () => {
    endpoint(() => HttpResponse.json({ access_token: JWT, token_type: "Bearer", expires_in: 900 }));
    await expect(httpTokenFetcher({ url: URL_ })(context())).resolves.toBe(JWT);
    endpoint(() => HttpResponse.json({ jwt: JWT }));
    await expect(httpTokenFetcher({ url: URL_ })(context())).resolves.toBe(JWT);
  });

  it("prefers token over access_token", async () => {
    endpoint(() => HttpResponse.json({ access_token: "other.token.value", token: JWT }));
    await expect(httpTokenFetcher({ url: URL_ })(context())).resolves.toBe(JWT);
  });

  it("accepts a plain-text JWT body, trimmed", async () => {
    endpoint(() => HttpResponse.text(`${JWT}\n`));
    await expect(httpTokenFetcher({ url: URL_ })(context())).resolves.toBe(JWT);
  });

  it("accepts a JSON string body", async () => {
    endpoint(() => HttpResponse.json(JWT));
    await expect(httpTokenFetcher({ url: URL_ })(context())).resolves.toBe(JWT);
  });

  it("uses a custom select", async () => {
    endpoint(() => HttpResponse.json({ data: { convex: { jwt: JWT } } }));
    const select = vi.fn((json: unknown) => (json as { data: { convex: { jwt: string } } }).data.convex.jwt);
    await expect(httpTokenFetcher({ url: URL_, select })(context())).resolves.toBe(JWT);
    expect(select).toHaveBeenCalledWith({ data: { convex: { jwt: JWT } } });
  });

  it("resolves null when select returns null (signed out)", async () => {
    endpoint(() => HttpResponse.json({ session: null }));
    await expect(httpTokenFetcher({ url: URL_, select: () => null })(context())).resolves.toBeNull();
  });

  it("resolves null for { token: null } (signed out)", async () => {
    endpoint(() => HttpResponse.json({ token: null }));
    await expect(httpTokenFetcher({ url: URL_ })(context())).resolves.toBeNull();
  });

  it("sends Accept: application/json unless told otherwise", async () => {
    const seen: Array<string | null> = [];
    endpoint(({ request }) => {
      seen.push(request.headers.get("accept"));
      return HttpResponse.json({ token: JWT });
    });
    await httpTokenFetcher({ url: URL_ })(context());
    await httpTokenFetcher({ url: URL_, headers: { Accept: "text/plain" } })(context());
    expect(seen).toEqual(["application/json", "text/plain"]);
  });

  it("accepts a URL object, and calls a url function on every fetch", async () => {
    const queries: string[] = [];
    endpoint(({ request }) => {
      queries.push(new URL(request.url).search);
      return HttpResponse.json({ token: JWT });
    });
    await expect(httpTokenFetcher({ url: new URL(URL_) })(context())).resolves.toBe(JWT);
    let n = 0;
    const url = vi.fn(() => `${URL_}?n=${++n}`);
    const fetchToken = httpTokenFetcher({ url });
    await fetchToken(context());
    await fetchToken(context());
    expect(url).toHaveBeenCalledTimes(2);
    expect(queries).toEqual(["", "?n=1", "?n=2"]);
  });
});

// Invariant 6: a definitive "signed out" must end in null (no retry), never in a thrown error.
describe("httpTokenFetcher: signed out", () => {
  it.each([401, 403])("resolves null on %i", async (status) => {
    endpoint(() => HttpResponse.json({ error: "unauthorized" }, { status }));
    await expect(httpTokenFetcher({ url: URL_ })(context())).resolves.toBeNull();
  });

  it("honours custom signedOutStatuses", async () => {
    endpoint(() => HttpResponse.json({ error: "session expired" }, { status: 419 }));
    await expect(httpTokenFetcher({ url: URL_, signedOutStatuses: [401, 419] })(context())).resolves.toBeNull();
    endpoint(() => new HttpResponse(null, { status: 403 }));
    const error = await endpointErrorOf(httpTokenFetcher({ url: URL_, signedOutStatuses: [401, 419] })(context()));
    expect(error.status).toBe(403);
    expect(error.retryable).toBe(false);
  });
});

describe("httpTokenFetcher: error statuses", () => {
  // mmailaender/convex-better-auth-svelte#35: "a single HTTP 5xx on /convex/token permanently flips
  // useAuth().isAuthenticated to false". A 5xx (or 408/429) must be a retryable failure, never a sign-out (null).
  it.each([500, 502, 503, 504, 408, 429])("%i rejects with a retryable TokenEndpointError", async (status) => {
    endpoint(() => HttpResponse.text("upstream trouble", { status }));
    const error = await endpointErrorOf(httpTokenFetcher({ url: URL_ })(context()));
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(true);
    expect(error.code).toBe("ERR_TOKEN_ENDPOINT");
    expect(error.retryAfterMs).toBeUndefined();
    expect(isRetryable(error)).toBe(true);
    expect(error.message).toContain(`GET ${URL_}`);
    expect(error.message).toContain(`HTTP ${status}`);
    expect(error.message).toContain("will retry");
  });

  // supabase/supabase-js#2145 ("30-60k POST /token requests per hour … almost all 429s"): honour Retry-After.
  it("429 with Retry-After: 7 → retryAfterMs 7000", async () => {
    endpoint(() => new HttpResponse(null, { status: 429, headers: { "Retry-After": "7" } }));
    const error = await endpointErrorOf(httpTokenFetcher({ url: URL_ })(context()));
    expect(error.retryAfterMs).toBe(7000);
    expect(error.retryable).toBe(true);
  });

  it("503 with an HTTP-date Retry-After → ms until that date", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.UTC(2026, 10, 26, 12, 0, 0));
    endpoint(
      () => new HttpResponse(null, { status: 503, headers: { "Retry-After": "Thu, 26 Nov 2026 12:02:00 GMT" } }),
    );
    const error = await endpointErrorOf(httpTokenFetcher({ url: URL_ })(context()));
    expect(error.retryAfterMs).toBe(120_000);
  });

  it("ignores an unparsable Retry-After", async () => {
    endpoint(() => new HttpResponse(null, { status: 429, headers: { "Retry-After": "soon" } }));
    const error = await endpointErrorOf(httpTokenFetcher({ url: URL_ })(context()));
    expect(error.retryAfterMs).toBeUndefined();
  });

  it.each([400, 404, 405, 422])("%i rejects with a non-retryable TokenEndpointError", async (status) => {
    endpoint(() => HttpResponse.json({ error: "nope" }, { status }));
    const error = await endpointErrorOf(httpTokenFetcher({ url: URL_ })(context()));
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(false);
    expect(isRetryable(error)).toBe(false);
    expect(error.message).toContain("Check the URL, method and credentials");
    expect(error.message).not.toContain("will retry");
  });

  // Invariant 7 (and general hygiene): a 200 body may hold session data or a token under an unexpected key;
  // the error must say what to return, not echo the body.
  it("a 200 without a token rejects with a non-retryable error that does not quote the body", async () => {
    const secret = "sess_9f8e7d6c5b4a39281706f5e4d3c2b1a0";
    endpoint(() => HttpResponse.json({ session: secret, user: { id: "u1" } }));
    const error = await endpointErrorOf(httpTokenFetcher({ url: URL_ })(context()));
    expect(error.status).toBe(200);
    expect(error.retryable).toBe(false);
    expect(isRetryable(error)).toBe(false);
    expect(error.message).not.toContain(secret);
    expect(error.message).not.toContain("session");
    expect(error.message).toContain('{ "token": "<jwt>" }');
    expect(error.message).toContain("`select`");
  });

  it.each([
    ["an HTML page", () => HttpResponse.html("<html><body>Sign in</body></html>")],
    ["an empty body", () => new HttpResponse(null, { status: 200 })],
    ["an empty token", () => HttpResponse.json({ token: "" })],
    ["a numeric token", () => HttpResponse.json({ token: 42 })],
  ])("a 200 with %s rejects (non-retryable)", async (_label, resolver) => {
    endpoint(resolver);
    const error = await endpointErrorOf(httpTokenFetcher({ url: URL_ })(context()));
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain("Sign in");
  });
});

// mswjs/interceptors#712/#799, modelcontextprotocol/typescript-sdk#1320: `response.body.cancel()` may never
// settle. The fetcher used to await it, so with msw every 401/403/4xx/5xx hung until the manager's timeout:
// a sign-out turned into a timeout and retries. The fetcher must settle without waiting for the cancel.
describe("httpTokenFetcher: a body whose cancel() never settles", () => {
  const stuckBody = () =>
    new ReadableStream<Uint8Array>({
      cancel: () => new Promise<void>(() => {}),
    });

  /** Settled within a few event-loop turns (no wall-clock wait): the fetcher itself does nothing slow. */
  async function settlesPromptly(promise: Promise<unknown>): Promise<boolean> {
    let settled = false;
    promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let i = 0; i < 10 && !settled; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    return settled;
  }

  it.each([401, 403, 404, 503])("%i settles", async (status) => {
    const stuckFetch = async () => new Response(stuckBody(), { status });
    const pending = httpTokenFetcher({ url: URL_, fetch: stuckFetch })(context());
    pending.catch(() => {});
    expect(await settlesPromptly(pending)).toBe(true);
    if (status === 401 || status === 403) await expect(pending).resolves.toBeNull();
    else await expect(pending).rejects.toMatchObject({ status });
  });
});

describe("httpTokenFetcher: request", () => {
  it("POSTs the body and headers; their function forms receive the FetchContext", async () => {
    const seen: Array<{ method: string; body: string; csrf: string | null; type: string | null }> = [];
    endpoint(async ({ request }) => {
      seen.push({
        method: request.method,
        body: await request.text(),
        csrf: request.headers.get("x-csrf-token"),
        type: request.headers.get("content-type"),
      });
      return HttpResponse.json({ token: JWT });
    }, "post");
    const headers = vi.fn((ctx: FetchContext) => ({
      "X-CSRF-Token": `csrf-${ctx.attempt}`,
      "Content-Type": "application/json",
    }));
    const body = vi.fn(async (ctx: FetchContext) => JSON.stringify({ reason: ctx.reason }));
    const ctx = context({ reason: "forced", attempt: 3 });
    await expect(httpTokenFetcher({ url: URL_, method: "POST", headers, body })(ctx)).resolves.toBe(JWT);
    expect(headers).toHaveBeenCalledWith(ctx);
    expect(body).toHaveBeenCalledWith(ctx);
    expect(seen).toEqual([{ method: "POST", body: '{"reason":"forced"}', csrf: "csrf-3", type: "application/json" }]);
  });

  it("POSTs a static body and static headers", async () => {
    const seen: string[] = [];
    endpoint(async ({ request }) => {
      seen.push(`${request.headers.get("x-app")}|${await request.text()}`);
      return HttpResponse.json({ token: JWT });
    }, "post");
    await httpTokenFetcher({ url: URL_, method: "POST", headers: [["X-App", "web"]], body: "grant=convex" })(context());
    expect(seen).toEqual(["web|grant=convex"]);
  });

  it("never sends a body with GET (fetch would throw)", async () => {
    const body = vi.fn(() => "ignored");
    endpoint(() => HttpResponse.json({ token: JWT }));
    await expect(httpTokenFetcher({ url: URL_, body })(context())).resolves.toBe(JWT);
    expect(body).not.toHaveBeenCalled();
  });

  it("passes credentials, the signal and the method through to fetch", async () => {
    endpoint(() => HttpResponse.json({ token: JWT }));
    const fetchSpy = vi.fn((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
    const ctx = context();
    await httpTokenFetcher({ url: URL_, credentials: "include", fetch: fetchSpy })(ctx);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
    const init = fetchSpy.mock.calls[0]![1]!;
    expect(init.credentials).toBe("include");
    expect(init.signal).toBe(ctx.signal);
    expect(init.method).toBe("GET");
  });

  it("leaves credentials to fetch's default when not given", async () => {
    endpoint(() => HttpResponse.json({ token: JWT }));
    const fetchSpy = vi.fn((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
    await httpTokenFetcher({ url: URL_, fetch: fetchSpy })(context());
    expect(fetchSpy.mock.calls[0]![1]).not.toHaveProperty("credentials");
  });

  it("uses a custom fetch instead of the global one", async () => {
    const customFetch = vi.fn(async () => Response.json({ token: JWT }));
    await expect(httpTokenFetcher({ url: URL_, fetch: customFetch })(context())).resolves.toBe(JWT);
    expect(customFetch).toHaveBeenCalledWith(URL_, expect.objectContaining({ method: "GET" }));
  });

  it("uses the global fetch looked up at call time", async () => {
    const fetchToken = httpTokenFetcher({ url: URL_ }); // created before the stub
    const stub = vi.fn(async () => Response.json({ token: JWT }));
    vi.stubGlobal("fetch", stub);
    try {
      await expect(fetchToken(context())).resolves.toBe(JWT);
      expect(stub).toHaveBeenCalledTimes(1);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  // Invariant 3: signOut()/dispose()/timeout abort the context's signal; the request itself must be cancelled.
  it("aborting the context's signal aborts the request (rejects)", async () => {
    let reached!: () => void;
    const inHandler = new Promise<void>((resolve) => (reached = resolve));
    let serverSawAbort = false;
    endpoint(async ({ request }) => {
      request.signal.addEventListener("abort", () => (serverSawAbort = true));
      reached();
      await delay("infinite");
      return HttpResponse.json({ token: JWT });
    });
    const controller = new AbortController();
    const pending = httpTokenFetcher({ url: URL_ })(context({ signal: controller.signal }));
    await inHandler;
    controller.abort(new DOMException("signed out", "AbortError"));
    const error = await rejectionOf(pending);
    expect((error as Error).name).toBe("AbortError");
    expect(error).not.toBeInstanceOf(TokenEndpointError);
    expect(serverSawAbort).toBe(true);
  });

  it("an already-aborted signal rejects without a token", async () => {
    endpoint(() => HttpResponse.json({ token: JWT }));
    const controller = new AbortController();
    controller.abort();
    await expect(httpTokenFetcher({ url: URL_ })(context({ signal: controller.signal }))).rejects.toMatchObject({
      name: "AbortError",
    });
  });

  // MCPJam/inspector PR #4403: "one wifi blip … kill[s] the session permanently". A network error is a
  // rejection the manager retries, never a null.
  it("a network error rejects with a TypeError (fetch's own as its cause), which isRetryable retries", async () => {
    endpoint(() => HttpResponse.error());
    const error = await rejectionOf(httpTokenFetcher({ url: URL_ })(context()));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).cause).toBeInstanceOf(TypeError);
    expect(isRetryable(error)).toBe(true);
  });
});

describe("httpTokenFetcher: options", () => {
  it.each([
    ["no options", undefined],
    ["null", null],
    ["no url", {}],
    ["an empty url", { url: "" }],
  ])("throws a TypeError naming `url` for %s", (_label, options) => {
    expect(() => httpTokenFetcher(options as never)).toThrow(TypeError);
    expect(() => httpTokenFetcher(options as never)).toThrow(/`url`/);
  });

  it.each(["PUT", "get", "DELETE"])("throws a TypeError naming `method` for %s", (method) => {
    expect(() => httpTokenFetcher({ url: URL_, method: method as never })).toThrow(TypeError);
    expect(() => httpTokenFetcher({ url: URL_, method: method as never })).toThrow(/`method`/);
  });

  it("validates eagerly: a bad option throws at creation, before any request", () => {
    const fetchSpy = vi.fn();
    expect(() => httpTokenFetcher({ url: URL_, method: "PATCH" as never, fetch: fetchSpy })).toThrow(TypeError);
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});
