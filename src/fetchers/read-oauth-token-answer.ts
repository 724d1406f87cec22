/**
 * `readOAuthTokenAnswer`: an OAuth 2.0 token endpoint's answer (RFC 6749 §5.1, §5.2) read for Convex: the JWT
 * access token, or an {@link OAuthTokenError} that says what happened, what to do and who must do it.
 *
 * @internal
 * @module
 */
import { redact } from "../core/errors";
import { decodeJwtPart } from "../core/jwt";
import { isRetryableStatus, parseRetryAfter } from "../core/retry";
import { OAuthTokenError } from "./oauth-token-error";

/** What each OAuth error code means, what to do, and who must do it (RFC 6749 §5.2, RFC 8707 §2). */
const ADVICE: Readonly<Record<string, string>> = {
  invalid_client:
    "The authorization server refused the client's credentials: the app must check clientCredentialsFetcher's " +
    "`clientId` and `clientSecret`, and `authMethod` (this server may expect client_secret_post rather than " +
    "client_secret_basic, or the reverse).",
  unauthorized_client:
    "The client may not use the client_credentials grant: the authorization server's administrator must register " +
    "the client with that grant type.",
  unsupported_grant_type:
    "The authorization server does not offer the client_credentials grant: its administrator must enable it there.",
  invalid_scope:
    "The authorization server refused the requested `scope`: the app must ask only for scopes the authorization " +
    "server granted the client.",
  invalid_target:
    "The authorization server does not know the requested `resource` (or `audience`): the app must pass the " +
    "identifier the authorization server registers for the Convex API.",
  invalid_request:
    "The authorization server found the request malformed: the app must check clientCredentialsFetcher's " +
    "`resource`, `audience`, `scope` and `extraParams`.",
  invalid_grant:
    "The authorization server refused the grant: its administrator must check the client's registration there.",
};

const GENERIC_ADVICE =
  "The app must check clientCredentialsFetcher's `tokenUrl`, and the client's registration at the authorization " +
  "server.";

/**
 * The JWT access token of a 2xx answer. Throws an {@link OAuthTokenError}: retryable for 5xx, 429 and 408;
 * definitive for other error statuses, and for a 2xx answer Convex cannot use (no `access_token`, an opaque
 * one, a JWT without `exp`). `where` names the request in messages (its URL already redacted).
 */
export async function readOAuthTokenAnswer(response: Response, where: string): Promise<string> {
  const body = parseJson(await response.text());
  if (!response.ok) throw errorAnswer(response, body, where);
  return accessTokenOf(response.status, body, where);
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
    ? "The authorization server is overloaded or down, and must answer 200 with an access token; the manager " +
      "retries with backoff."
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
      `${where} answered ${status} without an \`access_token\` in a JSON body: the app must point ` +
        "clientCredentialsFetcher's `tokenUrl` at the authorization server's token endpoint (its discovery " +
        "document's `token_endpoint`).",
      { retryable: false },
    );
  }
  const claims = jwtPayload(token);
  if (claims === undefined) {
    throw new OAuthTokenError(
      status,
      "opaque_access_token",
      `${where} issued an opaque access token${expiresIn}, not a JWT, and Convex verifies only JWTs: the ` +
        "authorization server must issue JWT access tokens (RFC 9068) for the `resource` or `audience` the app " +
        "asks for (a setting of the resource at the authorization server).",
      { retryable: false },
    );
  }
  if (typeof claims.exp !== "number") {
    throw new OAuthTokenError(
      status,
      "access_token_without_exp",
      `${where} issued a JWT access token without \`exp\`${expiresIn}, and Convex requires \`exp\`: the ` +
        "authorization server must put `exp` in its JWT access tokens.",
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
