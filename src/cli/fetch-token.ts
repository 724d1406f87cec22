/**
 * `doctor --token-url`: get a token from a live token endpoint (GET, `{ "token": "<jwt>" }` or the bare JWT),
 * to check the issuer end to end. The token is never printed; the URL only without its query and userinfo.
 *
 * @internal
 * @module
 */
import { safeUrl } from "../server/safe-url";
import { ConfigLoadError } from "./load-config";

/** `Name: value` flags as headers; a malformed one is a usage error that names it. */
export function parseHeaders(values: readonly string[]): Headers {
  const headers = new Headers({ Accept: "application/json" });
  for (const value of values) {
    const colon = value.indexOf(":");
    if (colon <= 0)
      throw new ConfigLoadError(`--header must be "Name: value", got ${JSON.stringify(value.slice(0, 40))}.`);
    headers.append(value.slice(0, colon).trim(), value.slice(colon + 1).trim());
  }
  return headers;
}

/** GET `url` and return the token it answers; a failure says what the endpoint answered and what to do. */
export async function fetchTokenFrom(url: string, headers: Headers, doFetch: typeof fetch = fetch): Promise<string> {
  const shown = safeUrl(url);
  let response: Response;
  try {
    response = await doFetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    const why = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    throw new ConfigLoadError(`Could not reach the token endpoint ${shown}: ${why}. Check --token-url.`);
  }
  const text = await response.text();
  if (response.status === 401 || response.status === 403) {
    throw new ConfigLoadError(
      `The token endpoint ${shown} answered ${response.status}: nobody is signed in for this request. Pass the ` +
        'session it expects, e.g. --header "cookie: session=…" or --header "authorization: Bearer …".',
    );
  }
  if (!response.ok) {
    throw new ConfigLoadError(`The token endpoint ${shown} answered ${response.status}: fix the endpoint, then retry.`);
  }
  let token: unknown = text.trim();
  try {
    const json = JSON.parse(text) as { token?: unknown; access_token?: unknown; jwt?: unknown };
    token = json.token ?? json.access_token ?? json.jwt;
  } catch {
    // a bare JWT
  }
  if (typeof token !== "string" || token.split(".").length !== 3) {
    throw new ConfigLoadError(
      `The token endpoint ${shown} answered ${response.status} without a JWT: it should answer ` +
        '{ "token": "<jwt>" } (or the bare JWT).',
    );
  }
  return token;
}
