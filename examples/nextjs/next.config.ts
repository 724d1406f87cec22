/**
 * The example's Next.js config. It lives inside this repository, so Turbopack's root is the repository (its
 * `node_modules`, and the library's sources that `tsconfig.json` maps `convex-custom-jwt` to). In your app
 * none of this is needed.
 */
import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

const repository = fileURLToPath(new URL("../..", import.meta.url));

const config: NextConfig = {
  turbopack: { root: repository },
  outputFileTracingRoot: repository,
  // `npm run typecheck` checks this app with the repository; `next build` need not do it again.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  // `next dev` would otherwise write (and keep re-adding) an AGENTS.md into this folder.
  agentRules: false,
  experimental: { agentUpgrade: false },
};

export default config;
