/**
 * `convex-custom-jwt/nextjs`: the signed-in user's token on the server (Next.js App Router), for
 * `convex/nextjs` and for the client provider, so the first paint is already signed in.
 *
 * @example
 * // app/layout.tsx (a server component)
 * const token = await getConvexToken(); // createServerToken(yourFunction)
 * return <ConvexClientProvider token={token}>{children}</ConvexClientProvider>;
 * // app/page.tsx
 * const preloaded = await preloadQuery(api.users.me, {}, withConvexToken(await getConvexToken()));
 *
 * @module
 */
export { createServerToken } from "./create-server-token";
export { withConvexToken } from "./with-convex-token";

export type { ServerToken, ServerTokenOptions, ServerTokenResult } from "./create-server-token";
