/**
 * The local deployment's JWKS fetch, as the backend's `fetch_jwks` does it: GET with `Accept:
 * application/json` through a shared HTTP cache that follows Cache-Control, 200 only, a JSON content type;
 * `data:` URLs are decoded in place. Failures carry the backend's exact messages.
 *
 * @internal
 * @module
 */
import { BACKEND_MESSAGES, reasonPhrase } from "../../server/backend-messages";
import { decodeDataUrl, isJwksContentType, jwksCacheMs, requestHref } from "../../server/jwks-rules";
import { AuthFailure } from "./auth-failure";

interface CachedResponse {
  status: number;
  contentType: string | null;
  body: string;
  expiresAt: number;
}

/** The JWKS behind each provider's `jwks` URL, cached as long as the response's Cache-Control allows. */
export class JwksFetcher {
  private cache = new Map<string, CachedResponse>();
  constructor(private now: () => number) {}

  /** Forget every cached response, as if their max-age had passed. */
  invalidate() {
    this.cache.clear();
  }

  /** `fetch_jwks`: the body of a 200 JSON response, or the backend's error. */
  async fetch(uri: string): Promise<string> {
    if (uri.startsWith("data:")) {
      try {
        return decodeDataUrl(uri);
      } catch (err) {
        throw new AuthFailure("InvalidAuthHeader", (err as Error).message);
      }
    }
    let res = this.cache.get(uri);
    if (!res || this.now() >= res.expiresAt) {
      res = await this.fetchFresh(uri);
    }
    if (res.status !== 200) {
      throw new AuthFailure("InvalidAuthHeader", BACKEND_MESSAGES.jwksHttp(uri, res.status, reasonPhrase(res.status)));
    }
    if (!isJwksContentType(res.contentType)) {
      throw new AuthFailure("InvalidAuthHeader", BACKEND_MESSAGES.jwksContentType(res.contentType ?? "unknown", uri));
    }
    return res.body;
  }

  private async fetchFresh(uri: string): Promise<CachedResponse> {
    let response: Response;
    let body: string;
    try {
      response = await fetch(uri, { headers: { Accept: "application/json" } });
      body = await response.text();
    } catch {
      throw new AuthFailure("InvalidAuthHeader", BACKEND_MESSAGES.jwksNetwork(uri, requestHref(uri)));
    }
    const freshMs = jwksCacheMs(response.headers.get("cache-control"), response.status);
    const res: CachedResponse = {
      status: response.status,
      contentType: response.headers.get("content-type"),
      body,
      expiresAt: this.now() + freshMs,
    };
    if (freshMs > 0) this.cache.set(uri, res);
    else this.cache.delete(uri);
    return res;
  }
}
