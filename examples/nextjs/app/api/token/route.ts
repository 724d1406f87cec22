/**
 * The dev token endpoint the browser's token manager calls: `{ "token": "<jwt>" }` for the session cookie,
 * `{ "token": null }` without one (200, so the browser logs no failed request).
 */
import { mintConvexToken } from "../../../lib/dev-issuer";
import { currentUser } from "../../../lib/session";

export async function GET(): Promise<Response> {
  const user = await currentUser();
  const token = user === null ? null : await mintConvexToken(user);
  return Response.json({ token }, { headers: { "cache-control": "no-store" } });
}
