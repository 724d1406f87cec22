/**
 * `clientCredentialsFetcher`: a machine identity's JWT access token from an OAuth 2.0 server (the
 * `client_credentials` grant, RFC 6749 §4.4), for Node scripts, workers and servers that call Convex.
 *
 * @module
 */
import { describe, redact } from "../core/errors";
import { decodeJwtPart } from "../core/jwt";
import { isRetryableStatus, parseRetryAfter } from "../core/retry";
import type { FetchContext, TokenFetcher } from "../core/types";
import { OAuthTokenError } from "./oauth-token-error";

/** Options of {@link clientCredentialsFetcher}. */
export interface ClientCredentialsFetcherOptions {
  /** The authorization server's token endpoint (its discovery document's `token_endpoint`). */
  tokenUrl: string | URL;
  /** The client's id, as registered at the authorization server. */
  clientId: string;
  /** The client's secret. Never appears in a message, a log line or an event. */
  clientSecret: string;
  /**
   * How the client authenticates (RFC 6749 §2.3.1): HTTP Basic (most servers' default) or the form body.
   * @default "client_secret_basic"
   */
  authMethod?: "client_secret_basic" | "client_secret_post";
  /** RFC 8707 `resource` indicator(s): the API the token is for (oidc-provider, Keycloak, Azure). */
  resource?: string | readonly string[];
  /** The `audience` parameter some servers take instead of `resource` (Auth0, Okta, WorkOS). */
  audience?: string;
  /** The scope(s) to ask for, joined with spaces. Default: none sent (the server's default scope). */
  scope?: string | readonly string[];
  /** More form parameters, sent as they are (e.g. `{ organization: "org_1" }`). */
  extraParams?: Readonly<Record<string, string>>;
  /** The `fetch` to use. Default: the global one, looked up on each call. */
  fetch?: typeof fetch;
}

/** What the client can do about each OAuth error code (RFC 6749 §5.2, RFC 8707 §2). */
const ADVICE: Readonly<Record<string, string>> = {
  invalid_client:
    "The authorization server did not accept the client's credentials: check `clientId` and `clientSecret`, and " +
    "`authMethod` (this server may expect client_secret_post, or client_secret_basic).",
  unauthorized_client:
    "The client is not allowed the client_credentials grant: register it at the authorization server with that " +
    "grant type.",
  unsupported_grant_type: "The authorization server does not offer the client_credentials grant: enable it there.",
  invalid_scope: "The authorization server refused the requested `scope`: ask for scopes the client was granted.",
  invalid_target:
    "The authorization server does not know the requested `resource` (or `audience`): use the identifier it " +
    "registers for your Convex API.",
  invalid_request: "The authorization server found the request malformed: check `resource`, `audience`, `scope`.",
  invalid_grant: "The authorization server refused the grant: check the client's registration there.",
};

const GENERIC_ADVICE = "Check `tokenUrl` and the client's registration at the authorization server.";

/**
 * A {@link TokenFetcher} for the OAuth 2.0 `client_credentials` grant: it posts the client's credentials to
 * the token endpoint and returns the JWT access token.
 * - 200 with a JWT `access_token`: the token. `expires_in` is read to explain an unusable answer: an
 *   opaque (non-JWT) access token, or a JWT without `exp` (Convex needs a JWT with `exp`).
 * - 400/401 `invalid_client`, `unauthorized_client`, `invalid_scope`, `invalid_target` and other 4xx: a
 *   definitive {@link OAuthTokenError} (not retried), whose message names the option to fix. A machine has no
 *   session to sign out of, so the fetcher never resolves `null`.
 * - 5xx, 429 and 408: a retryable `OAuthTokenError`, with `retryAfterMs` from `Retry-After`. Network
 *   errors are rethrown as a `TypeError` (retried).
 *
 * @example
 * import { ConvexHttpClient } from "convex/browser";
 * import { TokenManager, clientCredentialsFetcher } from "convex-custom-jwt";
 * import { connectConvex } from "convex-custom-jwt/convex";
 *
 * const tokens = new TokenManager({
 *   fetchToken: clientCredentialsFetcher({
 *     tokenUrl: "https://auth.example.com/oauth/token",
 *     clientId: process.env.CLIENT_ID!,
 *     clientSecret: process.env.CLIENT_SECRET!,
 *     resource: "https://api.example.com/convex",
 *   }),
 * });
 * const convex = new ConvexHttpClient(process.env.CONVEX_URL!);
 * connectConvex(convex, tokens); // each call carries a valid token
 */
export function clientCredentialsFetcher(options: ClientCredentialsFetcherOptions): TokenFetcher {
  validate(options);
  const authMethod = options.authMethod ?? "client_secret_basic";
  const where = `Token endpoint POST ${redact(String(options.tokenUrl))}`;

  return async (context: FetchContext) => {
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    const headers = new Headers({
      accept: "application/json",
      "content-type": "application/x-www-form-urlencoded",
    });
    if (authMethod === "client_secret_basic") {
      headers.set(
        "authorization",
        `Basic ${btoa(`${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`)}`,
      );
    } else {
      form.set("client_id", options.clientId);
      form.set("client_secret", options.clientSecret);
    }
    for (const resource of list(options.resource)) form.append("resource", resource);
    if (options.audience !== undefined) form.set("audience", options.audience);
    const scope = list(options.scope).join(" ");
    if (scope !== "") form.set("scope", scope);
    for (const [key, value] of Object.entries(options.extraParams ?? {})) form.set(key, value);

    let response: Response;
    try {
      response = await (options.fetch ?? fetch)(options.tokenUrl, {
        method: "POST",
        headers,
        body: form,
        signal: context.signal,
      });
    } catch (error) {
      if (context.signal.aborted) throw error;
      throw new TypeError(`${where} failed: ${describe(error)}`, { cause: error });
    }
    const text = await response.text();
    const body = parseJson(text);
    if (!response.ok) throw errorAnswer(response, body, where);
    return accessTokenOf(response.status, body, where);
  };
}

function validate(options: ClientCredentialsFetcherOptions): void {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("clientCredentialsFetcher: pass { tokenUrl, clientId, clientSecret }.");
  }
  for (const name of ["tokenUrl", "clientId", "clientSecret"] as const) {
    const value = options[name];
    if ((typeof value !== "string" && !(value instanceof URL)) || value === "") {
      throw new TypeError(`clientCredentialsFetcher: \`${name}\` is required (a non-empty string).`);
    }
  }
  const method = options.authMethod;
  if (method !== undefined && method !== "client_secret_basic" && method !== "client_secret_post") {
    throw new TypeError(
      'clientCredentialsFetcher: `authMethod` must be "client_secret_basic" or "client_secret_post".',
    );
  }
}

/** The error for a non-2xx answer: definitive for 4xx, retryable for 5xx, 429 and 408. */
function errorAnswer(response: Response, body: Record<string, unknown> | undefined, where: string): OAuthTokenError {
  const status = response.status;
  const code = typeof body?.error === "string" ? body.error : `http_${status}`;
  const description = typeof body?.error_description === "string" ? body.error_description : undefined;
  const retryable = isRetryableStatus(status);
  const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"), Date.now());
  const said = `${code}${description === undefined ? "" : `: ${redact(description)}`}`;
  const advice = retryable
    ? "The authorization server is overloaded or down; the manager retries with backoff."
    : (ADVICE[code] ?? GENERIC_ADVICE);
  return new OAuthTokenError(
    status,
    code,
    `${where} answered HTTP ${status} (${said})${retryable ? " (will retry)" : ""}. ${advice}`,
    {
      retryable,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(description === undefined ? {} : { description }),
    },
  );
}

/** The JWT access token of a 2xx answer, or a definitive error saying why it cannot serve Convex. */
function accessTokenOf(status: number, body: Record<string, unknown> | undefined, where: string): string {
  const token = body?.access_token;
  const expiresIn = typeof body?.expires_in === "number" ? ` (expires_in ${body.expires_in} s)` : "";
  if (typeof token !== "string" || token === "") {
    throw new OAuthTokenError(
      status,
      "no_access_token",
      `${where} answered ${status} without an \`access_token\` in a JSON body. Point \`tokenUrl\` at the ` +
        "authorization server's token endpoint.",
      { retryable: false },
    );
  }
  const claims = jwtPayload(token);
  if (claims === undefined) {
    throw new OAuthTokenError(
      status,
      "opaque_access_token",
      `${where} issued an opaque access token${expiresIn}, not a JWT: Convex can only verify JWTs. Configure ` +
        "the authorization server to issue JWT access tokens (RFC 9068) for the `resource` or `audience` you ask for.",
      { retryable: false },
    );
  }
  if (typeof claims.exp !== "number") {
    throw new OAuthTokenError(
      status,
      "opaque_access_token",
      `${where} issued a JWT access token without \`exp\`${expiresIn}: Convex requires \`exp\`. Make the ` +
        "authorization server put `exp` in its JWT access tokens.",
      { retryable: false },
    );
  }
  return token;
}

/** The payload of a compact JWT, or undefined when `token` is not one. */
function jwtPayload(token: string): Record<string, unknown> | undefined {
  if (token.split(".").length !== 3) return undefined;
  try {
    return decodeJwtPart(token, "payload");
  } catch {
    return undefined;
  }
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function list(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === "string" ? [value] : value;
}

/** `application/x-www-form-urlencoded` encoding of a credential, as RFC 6749 §2.3.1 asks before Basic. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
