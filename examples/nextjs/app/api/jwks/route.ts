/**
 * The issuer's JWKS (the public keys only), on the issuer kit's `jwksHandler`, with the `Cache-Control:
 * max-age` the key rotation is planned for. The local Convex deployment's `customJwt` provider points here
 * (`dev.ts`); in your app, `convex/auth.config.ts` does.
 */
import { jwksHandler } from "convex-custom-jwt/issuer";
import { devIssuer } from "../../../lib/dev-issuer";

export async function GET(request: Request): Promise<Response> {
  return jwksHandler(await devIssuer())(request);
}
