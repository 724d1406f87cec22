/**
 * `withConvexToken`: the options `convex/nextjs` takes, with the request's token when there is one.
 *
 * @module
 */
import type { NextjsOptions } from "convex/nextjs";
import type { ServerTokenResult } from "./create-server-token";

/**
 * The options of `preloadQuery`, `fetchQuery`, `fetchMutation` and `fetchAction` (`convex/nextjs`) for the
 * request's token: `token` set when there is one, left out when signed out or unknown (the call then runs
 * as an anonymous user). `options` are kept (`url`, `skipConvexDeploymentUrlCheck`, …).
 *
 * @example
 * const token = await getConvexToken();
 * const preloaded = await preloadQuery(api.users.me, {}, withConvexToken(token));
 */
export function withConvexToken(token: ServerTokenResult, options: NextjsOptions = {}): NextjsOptions {
  const { token: _ignored, ...rest } = options;
  return typeof token === "string" ? { ...rest, token } : rest;
}
