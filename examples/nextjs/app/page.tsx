/**
 * The page (a server component): preloads the user's profile with the request's token, so the server's HTML
 * already shows it; `usePreloadedQuery` in `Home` then hands over to the live subscription.
 */
import { preloadQuery } from "convex/nextjs";
import { withConvexToken } from "convex-custom-jwt/nextjs";
import { getConvexToken } from "../lib/convex-token";
import { Home } from "./home";
import { api } from "./api";

export default async function Page() {
  const token = await getConvexToken();
  const me = await preloadQuery(api.users.me, {}, withConvexToken(token));
  return <Home me={me} />;
}
