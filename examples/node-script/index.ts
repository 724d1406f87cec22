/**
 * A Node script that stays authenticated with Convex for as long as it runs, whatever the token
 * lifetime: a socket client subscribed to a query, and an HTTP client sending mutations.
 *
 *   CONVEX_URL=https://<your-deployment>.convex.cloud CONVEX_TOKEN_URL=https://auth.example.com/token \
 *     npx tsx examples/node-script/index.ts
 */
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { createTokenManager, httpTokenFetcher } from "convex-custom-jwt";
import { connectConvex } from "convex-custom-jwt/convex";

export interface ScriptOptions {
  convexUrl: string;
  tokenUrl: string;
  /** How many mutations to send, one every `intervalMs`. */
  iterations?: number;
  intervalMs?: number;
  /** Extra client options (the tests pass `skipConvexDeploymentUrlCheck` for a local URL). */
  clientOptions?: { skipConvexDeploymentUrlCheck?: boolean };
  log?: (line: string) => void;
}

/** Run the script; resolves with what it saw once it has signed out and closed everything. */
export async function run(options: ScriptOptions): Promise<{ sent: number; identities: string[] }> {
  const { iterations = 10, intervalMs = 60_000, log = console.log } = options;
  const tokens = createTokenManager({ fetchToken: httpTokenFetcher({ url: options.tokenUrl }) });
  tokens.on("token", ({ subject, expiresAt }) =>
    log(`token for ${subject}, valid until ${new Date(expiresAt).toISOString()}`),
  );
  tokens.on("error", ({ error, attempt }) => log(`token fetch attempt ${attempt} failed: ${(error as Error).message}`));

  const socket = new ConvexClient(options.convexUrl, { ...options.clientOptions, logger: false });
  const http = new ConvexHttpClient(options.convexUrl, { ...options.clientOptions, logger: false });
  const disconnectSocket = connectConvex(socket, tokens);
  const disconnectHttp = connectConvex(http, tokens);

  const identities: string[] = [];
  const unsubscribe = socket.onUpdate(anyApi.auth!.whoami!, {}, (identity: { subject?: string } | null) => {
    identities.push(identity?.subject ?? "(nobody)");
  });

  let sent = 0;
  try {
    for (let i = 0; i < iterations; i++) {
      await http.mutation(anyApi.messages!.send!, { body: `report ${i + 1}` });
      sent += 1;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  } finally {
    tokens.signOut();
    unsubscribe();
    disconnectSocket();
    disconnectHttp();
    tokens.dispose();
    await socket.close();
  }
  log(`sent ${sent} reports`);
  return { sent, identities };
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const convexUrl = process.env.CONVEX_URL;
  const tokenUrl = process.env.CONVEX_TOKEN_URL;
  if (!convexUrl || !tokenUrl) {
    console.error("Set CONVEX_URL and CONVEX_TOKEN_URL.");
    process.exit(2);
  }
  run({ convexUrl, tokenUrl }).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
