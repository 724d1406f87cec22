/**
 * `npm run example:react`: the React example with everything it needs, on this machine only — a JWT
 * issuer (its JWKS served over HTTP), a local Convex deployment configured with a `customJwt` provider for
 * it, and Vite serving the app with the dev token endpoint. Ctrl-C stops it all.
 *
 * Env: `PORT` (default 5173), `TOKEN_LIFETIME_SEC` (default 60, so rotations are seen within a minute).
 */
import { fileURLToPath } from "node:url";
import { createServer, type ViteDevServer } from "vite";
import { startLocalStack, type LocalStack } from "../../test/support/stack";
import { devAuth } from "./dev-auth";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export interface ReactExample {
  /** The app's URL, e.g. `http://127.0.0.1:5173/`. */
  url: string;
  stack: LocalStack;
  vite: ViteDevServer;
  /** Tokens the dev token endpoint minted so far. */
  minted(): number;
  close(): Promise<void>;
}

/** Start the issuer, the local deployment and the Vite dev server. */
export async function startReactExample(
  options: { port?: number; lifetimeSec?: number; quiet?: boolean } = {},
): Promise<ReactExample> {
  const stack = await startLocalStack({ issuer: { lifetimeSec: options.lifetimeSec ?? 60 }, jwksMaxAgeSec: 60 });
  const auth = devAuth(stack.issuer);
  let vite: ViteDevServer | undefined;
  try {
    vite = await createServer({
      configFile: false,
      root: here("."),
      cacheDir: here("../../node_modules/.vite-react-example"),
      logLevel: options.quiet ? "silent" : "info",
      clearScreen: false,
      plugins: [auth],
      define: { "import.meta.env.VITE_CONVEX_URL": JSON.stringify(stack.deployment.url) },
      resolve: {
        // The library from its sources, as the tests use it (an app imports the published package).
        alias: [
          { find: /^convex-custom-jwt\/react$/, replacement: here("../../src/react/index.ts") },
          { find: /^convex-custom-jwt\/convex$/, replacement: here("../../src/convex/index.ts") },
          { find: /^convex-custom-jwt$/, replacement: here("../../src/index.ts") },
        ],
      },
      optimizeDeps: {
        // Pre-bundled at start, so the first page load never triggers a re-optimisation and reload.
        include: ["react", "react/jsx-dev-runtime", "react-dom/client", "convex/react", "convex/server", "jwt-decode"],
      },
      server: { host: "127.0.0.1", port: options.port ?? 5173, strictPort: options.port !== undefined },
    });
    await vite.listen();
  } catch (error) {
    await vite?.close();
    await stack.close();
    throw error;
  }
  const server = vite;
  const url = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${server.config.server.port}/`;
  return {
    url,
    stack,
    vite: server,
    minted: () => auth.minted,
    async close() {
      await server.close();
      await stack.close();
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const example = await startReactExample({
    port: process.env.PORT ? Number(process.env.PORT) : undefined,
    lifetimeSec: process.env.TOKEN_LIFETIME_SEC ? Number(process.env.TOKEN_LIFETIME_SEC) : undefined,
  });
  console.log(`\nReact example: ${example.url}`);
  console.log(`  local Convex deployment ${example.stack.deployment.url}, issuer ${example.stack.issuer.issuer}`);
  console.log("  sign in with any name; the token rotates every ~45 s (TOKEN_LIFETIME_SEC=60). Ctrl-C to stop.\n");
  const stop = () => void example.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
