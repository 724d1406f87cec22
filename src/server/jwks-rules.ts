/**
 * How the Convex backend fetches and reads a provider's JWKS (`fetch_jwks`), in one place: `diagnoseToken`
 * and the local deployment (`convex-custom-jwt/testing`) both follow these. Runtime-agnostic: no Node APIs.
 *
 * Sources: get-convex/convex-backend @ 94a42c3 `crates/authentication/src/lib.rs` (`fetch_jwks`) and
 * `crates/http_client` (an HTTP cache in http-cache's `CacheMode::Default`, shared).
 *
 * @internal
 * @module
 */
import { BACKEND_MESSAGES } from "./backend-messages";
import { isObject } from "./backend-rules";

/** A JWKS Content-Type the backend accepts: JSON or JWK-set JSON, charset utf-8 if any. */
export function isJwksContentType(value: string | null): boolean {
  if (!value) return false;
  const [essence = "", ...params] = value.split(";").map((s) => s.trim());
  if (!["application/json", "application/jwk-set+json"].includes(essence.toLowerCase())) return false;
  const charset = params.map((p) => p.split("=")).find(([k]) => k?.trim().toLowerCase() === "charset");
  return !charset || charset[1]?.trim().replace(/^"|"$/g, "").toLowerCase() === "utf-8";
}

/** A JWKS body the backend accepts: `{ keys: [{ kty: string, ... }] }`. Returns the keys, else `undefined`. */
export function parseJwks(body: string): Record<string, unknown>[] | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (!isObject(parsed) || !Array.isArray(parsed.keys)) return undefined;
    if (!parsed.keys.every((k) => isObject(k) && typeof k.kty === "string")) return undefined;
    return parsed.keys as Record<string, unknown>[];
  } catch {
    return undefined;
  }
}

/** Decode a `data:` JWKS URL (base64 or percent-encoded). Throws the backend's message on failure. */
export function decodeDataUrl(uri: string): string {
  const comma = uri.indexOf(",");
  try {
    if (comma < 0) throw new Error("no comma");
    const meta = uri.slice(5, comma);
    const data = uri.slice(comma + 1);
    if (!/;base64$/i.test(meta)) return decodeURIComponent(data);
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    return new TextDecoder().decode(bytes);
  } catch {
    throw new Error(BACKEND_MESSAGES.jwksDataUrl);
  }
}

/** Statuses a shared HTTP cache may store without explicit permission beyond `max-age` (RFC 9111 heuristics). */
const CACHEABLE_STATUSES: ReadonlySet<number> = new Set([200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501]);

/**
 * How long the backend's shared HTTP cache keeps a JWKS response, in ms (0: it fetches again next time):
 * `s-maxage`, else `max-age`; nothing for `no-store`, `no-cache` or `private`.
 */
export function jwksCacheMs(cacheControl: string | null, status: number): number {
  if (!cacheControl || !CACHEABLE_STATUSES.has(status)) return 0;
  const directives = new Map(
    cacheControl.split(",").map((d) => {
      const [k = "", v] = d.trim().split("=");
      return [k.toLowerCase(), v?.replace(/^"|"$/g, "")] as const;
    }),
  );
  if (directives.has("no-store") || directives.has("no-cache") || directives.has("private")) return 0;
  const seconds = Number(directives.get("s-maxage") ?? directives.get("max-age"));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

/** The request URL as reqwest prints it in "error sending request for url (…)": parsed, else as given. */
export function requestHref(uri: string): string {
  try {
    return new URL(uri).href;
  } catch {
    return uri;
  }
}
