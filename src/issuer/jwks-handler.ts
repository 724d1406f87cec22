/**
 * `jwksHandler`: the JWKS on the Fetch API (`Request` → `Response`), for Next.js route handlers, Hono, Bun,
 * Deno, Workers and Convex HTTP actions.
 *
 * @module
 */
import type { Issuer } from "./create-issuer";

/** What {@link jwksHandler} needs of an issuer (an {@link Issuer} has it). */
export type JwksSource = Pick<Issuer, "jwks" | "jwksLastModified" | "jwksMaxAgeSec" | "now">;

/**
 * A handler that serves the issuer's JWKS as the rotation publishes it now: public keys only (`kty`, `kid`,
 * `alg`, `use` and `n`/`e` or `crv`/`x`/`y`; never `d`, `p`, `q`, `dp`, `dq`, `qi` or `k`), as
 * `application/json`, with `Cache-Control: public, max-age=<jwksMaxAgeSec>` (the max-age the rotation is
 * computed for: do not put a longer cache in front of it) and `Last-Modified` (since when it has held every
 * key it publishes: `doctor` reads it). GET and HEAD; other methods get 405.
 *
 * @example
 * // app/.well-known/jwks.json/route.ts (Next.js)
 * import { jwksHandler } from "convex-custom-jwt/issuer";
 * import { issuer } from "@/lib/issuer";
 *
 * export const GET = jwksHandler(issuer);
 */
export function jwksHandler(issuer: JwksSource): (request: Request) => Response {
  if (typeof issuer?.jwks !== "function") {
    throw new TypeError("jwksHandler: `issuer` must be the issuer returned by createIssuer (await it first).");
  }
  return (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return new Response(null, { status: 405, headers: { Allow: "GET, HEAD" } });
    }
    const at = issuer.now();
    const headers = new Headers({
      "Content-Type": "application/json",
      "Cache-Control": `public, max-age=${issuer.jwksMaxAgeSec}`,
      // Public keys: any origin may read them (browser tools, jose's createRemoteJWKSet in a page).
      "Access-Control-Allow-Origin": "*",
    });
    const since = issuer.jwksLastModified(at);
    if (since !== undefined) headers.set("Last-Modified", new Date(since).toUTCString());
    const body = request.method === "HEAD" ? null : JSON.stringify(issuer.jwks(at));
    return new Response(body, { status: 200, headers });
  };
}
