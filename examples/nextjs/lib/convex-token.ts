/**
 * The signed-in user's Convex token on the server: once per request, checked before it reaches a page.
 * Layouts and pages call `getConvexToken()`; never keep its result in a module variable, `"use cache"` or
 * `unstable_cache` (they are shared between users).
 */
import { createServerToken } from "convex-custom-jwt/nextjs";
import { expectedClaims, mintConvexToken } from "./dev-issuer";
import { currentUser } from "./session";

export const getConvexToken = createServerToken(async () => {
  const user = await currentUser();
  return user === null ? null : mintConvexToken(user);
}, expectedClaims);
