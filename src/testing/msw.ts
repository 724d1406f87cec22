/**
 * `convex-custom-jwt/testing/msw`: msw request handlers that serve a {@link TestIssuer}'s JWKS and tokens
 * at any URL, for tests that intercept `fetch` instead of opening a port. Needs `msw` 2 (an optional peer).
 *
 * @example
 * import { setupServer } from "msw/node";
 * import { createTestIssuer } from "convex-custom-jwt/testing";
 * import { testIssuerHandlers } from "convex-custom-jwt/testing/msw";
 *
 * const issuer = await createTestIssuer();
 * const server = setupServer(...testIssuerHandlers(issuer, { tokenUrl: "https://app.test/api/convex-token" }));
 * server.listen();
 *
 * @module
 */
import { http, HttpResponse, type HttpHandler } from "msw";
import type { TestIssuer } from "./test-issuer";

/** Options of {@link jwksHandler}. */
export interface JwksHandlerOptions {
  /** `Cache-Control: max-age`, in seconds. @default 60 */
  maxAgeSec?: number;
  /** Override the `Content-Type` (e.g. `"text/plain"` to reproduce that backend error). @default "application/json" */
  contentType?: string;
}

/** GET `url` → the issuer's current JWKS (`application/json`, `Cache-Control: max-age=60`). */
export function jwksHandler(issuer: TestIssuer, url: string, opts: JwksHandlerOptions = {}): HttpHandler {
  return http.get(
    url,
    () =>
      new HttpResponse(JSON.stringify(issuer.jwks()), {
        status: 200,
        headers: {
          "Content-Type": opts.contentType ?? "application/json",
          "Cache-Control": `max-age=${opts.maxAgeSec ?? 60}`,
        },
      }),
  );
}

/** Options of {@link tokenEndpointHandler}. */
export interface TokenEndpointHandlerOptions {
  /** Answer 401 `{ "error": "signed_out" }` while this returns true. @default () => false */
  signedOut?: () => boolean;
}

/** GET or POST `url` → 200 `{ "token": "<fresh JWT>" }` (or 401 while `signedOut()`). */
export function tokenEndpointHandler(
  issuer: TestIssuer,
  url: string,
  opts: TokenEndpointHandlerOptions = {},
): HttpHandler {
  return http.all(url, async ({ request }) => {
    if (request.method !== "GET" && request.method !== "POST") {
      const message = `No ${request.method} here: the test token endpoint answers GET or POST.`;
      return HttpResponse.json({ error: "method_not_allowed", message }, { status: 405 });
    }
    if (opts.signedOut?.()) {
      const message = "The user is signed out of the test token endpoint (signedOut() returned true).";
      return HttpResponse.json({ error: "signed_out", message }, { status: 401 });
    }
    return HttpResponse.json({ token: await issuer.mint() });
  });
}

/**
 * Both handlers: the JWKS at `jwksUrl` (default `<issuer>/.well-known/jwks.json`) and, when given, the token
 * endpoint at `tokenUrl`.
 */
export function testIssuerHandlers(
  issuer: TestIssuer,
  urls: { jwksUrl?: string; tokenUrl?: string } = {},
): HttpHandler[] {
  const jwksUrl = urls.jwksUrl ?? `${issuer.issuer.replace(/\/+$/, "")}/.well-known/jwks.json`;
  return [jwksHandler(issuer, jwksUrl), ...(urls.tokenUrl ? [tokenEndpointHandler(issuer, urls.tokenUrl)] : [])];
}
