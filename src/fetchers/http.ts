/**
 * `httpTokenFetcher`: a ready fetcher for the common token endpoint that answers `{ "token": "<jwt>" }`.
 *
 * @module
 */
import { describe, redact, TokenEndpointError } from "../core/errors";
import { isRetryableStatus, parseRetryAfter } from "../core/retry";
import type { FetchContext, TokenFetcher } from "../core/types";

/** Options of {@link httpTokenFetcher}. */
export interface HttpTokenFetcherOptions {
  /** The token endpoint. A function is called on every fetch (e.g. to add a query string). */
  url: string | URL | (() => string | URL);
  /** @default "GET" */
  method?: "GET" | "POST";
  /** Extra request headers; a function is called on every fetch (e.g. to add a CSRF token). */
  headers?: HeadersInit | ((context: FetchContext) => HeadersInit | Promise<HeadersInit>);
  /** `fetch`'s `credentials` (use `"include"` for a cookie session on another origin). Default: fetch's own. */
  credentials?: RequestCredentials;
  /** Request body for POST; a function is called on every fetch. */
  body?: BodyInit | ((context: FetchContext) => BodyInit | Promise<BodyInit>);
  /**
   * Pick the token out of the JSON response; return `null` for "signed out".
   * Default: `json.token`, else `json.access_token`, else `json.jwt`. A plain-text JWT body is accepted too.
   */
  select?: (json: unknown) => string | null | undefined;
  /** Statuses that mean "definitively signed out" (the fetcher resolves `null`). @default [401, 403] */
  signedOutStatuses?: readonly number[];
  /** The `fetch` to use. Default: the global one, looked up on each call. */
  fetch?: typeof fetch;
}

/**
 * A {@link TokenFetcher} for an HTTP token endpoint.
 * - 2xx: the token from the body (`{ token }` by default, see `select`).
 * - 401/403: `null`, so the manager signs out without retrying.
 * - 408, 429, 5xx: a retryable `TokenEndpointError`, with `retryAfterMs` from `Retry-After`.
 * - Other statuses: a non-retryable `TokenEndpointError`. Network errors are rethrown (retryable).
 *
 * @example
 * const tokens = createTokenManager({
 *   fetchToken: httpTokenFetcher({ url: "/api/convex-token", credentials: "include" }),
 * });
 */
export function httpTokenFetcher(options: HttpTokenFetcherOptions): TokenFetcher {
  if (typeof options !== "object" || options === null || options.url === undefined || options.url === "") {
    throw new TypeError(
      "httpTokenFetcher: `url` is required: pass the token endpoint's URL (a string, a URL, or a function " +
        "returning one).",
    );
  }
  const method = options.method ?? "GET";
  if (method !== "GET" && method !== "POST") {
    throw new TypeError(
      `httpTokenFetcher: \`method\` must be "GET" or "POST"; got ${redact(JSON.stringify(method) ?? String(method))}.`,
    );
  }
  const signedOut = new Set(options.signedOutStatuses ?? [401, 403]);
  const select = options.select ?? defaultSelect;

  return async (context) => {
    const url = typeof options.url === "function" ? options.url() : options.url;
    const headers = new Headers(
      typeof options.headers === "function" ? await options.headers(context) : options.headers,
    );
    if (!headers.has("accept")) headers.set("accept", "application/json");
    const init: RequestInit = { method, headers, signal: context.signal };
    if (options.credentials !== undefined) init.credentials = options.credentials;
    if (method === "POST" && options.body !== undefined) {
      init.body = typeof options.body === "function" ? await options.body(context) : options.body;
    }
    // Never the query string or userinfo (a token-exchange URL carries a credential there).
    const where = `Token endpoint ${method} ${redact(String(url))}`;
    let response: Response;
    try {
      response = await (options.fetch ?? fetch)(url, init);
    } catch (error) {
      if (context.signal.aborted) throw error;
      // A network error: still a TypeError (retried), with a message that cannot carry the URL's secrets.
      throw new TypeError(
        `${where} could not be reached: ${describe(error)}. It is retried; if this lasts, check the URL, and that ` +
          "the token endpoint is up and reachable from here (DNS, TLS, CORS).",
        { cause: error },
      );
    }
    // Free the connection without waiting: cancel() can stay pending forever (a mocked or cloned response under
    // msw, mswjs/interceptors#712 and #799; some servers, modelcontextprotocol/typescript-sdk#1320), which would
    // turn a sign-out or a retryable failure into a hang until the manager's timeout.
    if (signedOut.has(response.status)) {
      void response.body?.cancel().catch(() => {});
      return null;
    }
    if (!response.ok) {
      void response.body?.cancel().catch(() => {});
      const retryable = isRetryableStatus(response.status);
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), Date.now());
      return Promise.reject(
        new TokenEndpointError(response.status, endpointFailed(where, response.status, retryable, retryAfterMs), {
          retryable,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        }),
      );
    }
    const text = await response.text();
    let token: string | null | undefined;
    try {
      token = select(JSON.parse(text));
    } catch {
      token = looksLikeJwt(text) ? text.trim() : undefined;
    }
    if (token === null) return null;
    if (typeof token !== "string" || token === "") {
      throw new TokenEndpointError(
        response.status,
        `${where} answered ${response.status} without a token in its body: make the token endpoint return ` +
          '{ "token": "<jwt>" }, or pass `select` to httpTokenFetcher to pick the token out of its response.',
        { retryable: false },
      );
    }
    return token;
  };
}

/** The message of a `TokenEndpointError` for an error status: what the endpoint said, and what to do. */
function endpointFailed(where: string, status: number, retryable: boolean, retryAfterMs: number | undefined): string {
  if (!retryable)
    return (
      `${where} answered HTTP ${status}, which is not retried (only 408, 429 and 5xx are). Check the URL, method ` +
      "and credentials the token endpoint expects; if this status means that the user is signed out, add it to " +
      "`signedOutStatuses`."
    );
  const wait = retryAfterMs === undefined ? "" : ` after its Retry-After of ${Math.ceil(retryAfterMs / 1000)} s`;
  return (
    `${where} answered HTTP ${status} (will retry${wait}): the token endpoint is overloaded or down, and must ` +
    "answer 200 with a token."
  );
}

function defaultSelect(json: unknown): string | null | undefined {
  if (typeof json === "string") return json;
  if (typeof json !== "object" || json === null) return undefined;
  const body = json as Record<string, unknown>;
  for (const key of ["token", "access_token", "jwt"]) {
    const value = body[key];
    if (typeof value === "string" || value === null) return value;
  }
  return undefined;
}

function looksLikeJwt(text: string): boolean {
  return /^\s*[\w-]+\.[\w-]+\.[\w-]*\s*$/.test(text);
}
