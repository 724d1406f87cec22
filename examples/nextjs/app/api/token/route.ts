/**
 * The dev token endpoint the browser's token manager calls (`httpTokenFetcher`), on the issuer kit's
 * `tokenHandler`: 200 `{ "token", "expiresAt" }` for the session cookie's user, 401 without a session (the
 * manager signs out), 503 with `Retry-After` if reading the session fails (the manager retries).
 */
import { tokenHandler } from "convex-custom-jwt/issuer";
import { devIssuer } from "../../../lib/dev-issuer";
import { currentUser } from "../../../lib/session";

export async function GET(request: Request): Promise<Response> {
  return tokenHandler(await devIssuer(), { authenticate: currentUser })(request);
}
