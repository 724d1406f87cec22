/**
 * The public `startLocalConvexDeployment`: loads the deployment (and with it `convex` and `ws`) only when
 * called, so the rest of `convex-custom-jwt/testing` (the issuer, the fake clock) works without them.
 *
 * @module
 */
import type { LocalConvexDeployment, LocalConvexDeploymentOptions } from "./deployment/types";

/**
 * Start a local Convex deployment on a random loopback port: the sync WebSocket protocol of
 * `ConvexClient`/`ConvexReactClient` and the HTTP API of `ConvexHttpClient`, validating `customJwt` tokens
 * as the Convex backend does, with its exact error strings. Needs `convex` (and `ws`, which `convex`
 * installs).
 *
 * Built-in functions (override them via `functions`): query `auth:whoami` → identity or null; query
 * `messages:list`; mutation `messages:send({ body })`; action `auth:echo` → `{ subject }`.
 *
 * @example
 * const issuer = await createTestIssuer();
 * const deployment = await startLocalConvexDeployment({ providers: [issuer.provider] });
 * const client = new ConvexHttpClient(deployment.url, { skipConvexDeploymentUrlCheck: true });
 * client.setAuth(await issuer.sign());
 * await deployment.close();
 */
export async function startLocalConvexDeployment(
  options: LocalConvexDeploymentOptions,
): Promise<LocalConvexDeployment> {
  const providers = (options as Partial<LocalConvexDeploymentOptions> | undefined)?.providers;
  if (!Array.isArray(providers)) {
    throw new TypeError(
      "startLocalConvexDeployment: `providers` must be an array of customJwt provider entries, as in " +
        `convex/auth.config.ts (e.g. [issuer.provider]), got ${providers === null ? "null" : typeof providers}.`,
    );
  }
  let start: typeof import("./convex-deployment").startLocalConvexDeployment;
  try {
    ({ startLocalConvexDeployment: start } = await import("./convex-deployment"));
  } catch (error) {
    throw new Error(
      "startLocalConvexDeployment needs the `convex` and `ws` packages, and one could not be loaded " +
        `(${(error as Error).message}). Install them in your project: npm install --save-dev convex ws.`,
      { cause: error },
    );
  }
  return start(options);
}
