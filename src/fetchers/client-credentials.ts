/**
 * `clientCredentialsFetcher`: a machine identity's JWT access token from an OAuth 2.0 server (the
 * `client_credentials` grant, RFC 6749 §4.4), for Node scripts, workers and servers that call Convex.
 *
 * @module
 */
import { describe, redact } from "../core/errors";
import type { FetchContext, TokenFetcher } from "../core/types";
import { readOAuthTokenAnswer } from "./read-oauth-token-answer";

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
      // A network error: still a TypeError (retried), with a message that cannot carry the URL's secrets.
      throw new TypeError(
        `${where} could not be reached: ${describe(error)}. It is retried; if this lasts, the app must check ` +
          "`tokenUrl`, and that the authorization server is up and reachable from here (DNS, TLS).",
        { cause: error },
      );
    }
    return readOAuthTokenAnswer(response, where);
  };
}

/** What each required option holds, for the TypeError that names it. */
const REQUIRED = {
  tokenUrl: "the authorization server's token endpoint (a non-empty string or a URL)",
  clientId: "the client's id at the authorization server (a non-empty string)",
  clientSecret: "the client's secret (a non-empty string)",
} as const;

function validate(options: ClientCredentialsFetcherOptions): void {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `clientCredentialsFetcher: pass an options object { tokenUrl, clientId, clientSecret }; got ${kindOf(options)}.`,
    );
  }
  for (const name of ["tokenUrl", "clientId", "clientSecret"] as const) {
    const value: unknown = options[name];
    if ((typeof value !== "string" && !(value instanceof URL)) || value === "") {
      // The value itself is never shown: it may be the secret.
      throw new TypeError(
        `clientCredentialsFetcher: \`${name}\` is required: pass ${REQUIRED[name]}; got ${kindOf(value)}.`,
      );
    }
  }
  const method: unknown = options.authMethod;
  if (method !== undefined && method !== "client_secret_basic" && method !== "client_secret_post") {
    throw new TypeError(
      'clientCredentialsFetcher: `authMethod` must be "client_secret_basic" or "client_secret_post" (how the ' +
        "authorization server expects the client to authenticate); got " +
        `${redact(JSON.stringify(method) ?? kindOf(method))}.`,
    );
  }
}

/** What kind of value was given, without showing it. */
function kindOf(value: unknown): string {
  if (value === "") return "an empty string";
  return value === null ? "null" : typeof value;
}

function list(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === "string" ? [value] : value;
}

/** `application/x-www-form-urlencoded` encoding of a credential, as RFC 6749 §2.3.1 asks before Basic. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
