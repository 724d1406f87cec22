/**
 * Load a provider's JWKS the way the backend does (`fetch_jwks`): GET with `Accept: application/json`,
 * 200 only, a JSON content type, a JWKS-shaped body; `data:` URLs are decoded in place.
 *
 * @internal
 * @module
 */
import { BACKEND_MESSAGES, reasonPhrase } from "./backend-messages";
import type { FindingCode } from "./findings";
import { decodeDataUrl, isJwksContentType, jwksCacheMs, parseJwks, requestHref } from "./jwks-rules";
import { safeUrl } from "./safe-url";

/** The outcome of {@link loadJwks}. */
export type JwksLoad =
  | {
      ok: true;
      keys: Record<string, unknown>[];
      detail: string;
      /** Fetched over HTTP (its headers were read), not a data: URL or a JWKS given locally. */
      fetched?: boolean;
      /** How long Convex's cache keeps it (`jwksCacheMs`); absent when it is not kept at all. */
      maxAgeSec?: number;
      /** `Last-Modified`, epoch ms. */
      lastModifiedMs?: number;
    }
  | { ok: false; code: FindingCode; message: string; backendMessage: string };

/** Options of {@link loadJwks}. */
export interface LoadJwksOptions {
  /** `fetch` to use. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** The JWKS itself (object or JSON text), instead of fetching `uri`: for offline checks. */
  jwks?: unknown;
  /** Give up on the request after this many milliseconds. @default 10000 */
  timeoutMs?: number;
}

/** Fetch (or take) and parse the JWKS for a provider whose `jwks` is `uri`. */
export async function loadJwks(uri: string, opts: LoadJwksOptions = {}): Promise<JwksLoad> {
  const shown = safeUrl(uri);
  const bodyError = (): JwksLoad => ({
    ok: false,
    code: "JWKS_INVALID",
    message: `The JWKS from ${shown} is not a JSON Web Key Set ({ "keys": [{ "kty": … }] }).`,
    backendMessage: BACKEND_MESSAGES.jwksBody(shown),
  });

  if (opts.jwks !== undefined) {
    const text = typeof opts.jwks === "string" ? opts.jwks : JSON.stringify(opts.jwks);
    const keys = parseJwks(text);
    return keys
      ? { ok: true, keys, detail: `${keys.length} key(s), given locally (content type not checked)` }
      : bodyError();
  }

  if (uri.startsWith("data:")) {
    let text: string;
    try {
      text = decodeDataUrl(uri);
    } catch {
      return {
        ok: false,
        code: "JWKS_DATA_URL_INVALID",
        message: "The `jwks` data: URL could not be decoded.",
        backendMessage: BACKEND_MESSAGES.jwksDataUrl,
      };
    }
    const keys = parseJwks(text);
    return keys ? { ok: true, keys, detail: `${keys.length} key(s) from a data: URL` } : bodyError();
  }

  const doFetch = opts.fetch ?? globalThis.fetch;
  let response: Response;
  let body: string;
  try {
    response = await doFetch(uri, {
      headers: { Accept: "application/json" },
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
    body = await response.text();
  } catch (err) {
    const why = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    return {
      ok: false,
      code: "JWKS_UNREACHABLE",
      message: `Could not reach ${shown}: ${why}.`,
      backendMessage: BACKEND_MESSAGES.jwksNetwork(shown, safeUrl(requestHref(uri))),
    };
  }
  if (response.status !== 200) {
    const locked = response.status === 401 || response.status === 403;
    return {
      ok: false,
      code: locked ? "JWKS_AUTH_REQUIRED" : "JWKS_HTTP_ERROR",
      message: `GET ${shown} answered HTTP ${response.status}${locked ? ": the JWKS is behind authentication" : ""}.`,
      backendMessage: BACKEND_MESSAGES.jwksHttp(shown, response.status, reasonPhrase(response.status)),
    };
  }
  const contentType = response.headers.get("content-type");
  if (!isJwksContentType(contentType)) {
    return {
      ok: false,
      code: "JWKS_CONTENT_TYPE",
      message:
        `GET ${shown} answered with Content-Type ${JSON.stringify(contentType ?? "none")}` +
        (/html/i.test(contentType ?? "") ? " (an HTML page: a login or error page instead of the JWKS?)." : "."),
      backendMessage: BACKEND_MESSAGES.jwksContentType(contentType ?? "unknown", shown),
    };
  }
  const keys = parseJwks(body);
  if (!keys) return bodyError();
  const cacheControl = response.headers.get("cache-control");
  const cachedMs = jwksCacheMs(cacheControl, response.status);
  const lastModified = Date.parse(response.headers.get("last-modified") ?? "");
  return {
    ok: true,
    keys,
    detail: `${keys.length} key(s) from ${shown} (${contentType}; Cache-Control: ${cacheControl ?? "none"})`,
    fetched: true,
    ...(cachedMs > 0 ? { maxAgeSec: cachedMs / 1000 } : {}),
    ...(Number.isFinite(lastModified) ? { lastModifiedMs: lastModified } : {}),
  };
}
