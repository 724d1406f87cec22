/**
 * A Node script (a cron job, a worker) that stays authenticated with Convex for as long as it runs, whatever
 * the token lifetime: a socket client subscribed to a query, and an HTTP client sending mutations. It is
 * trusted backend code, so it signs its own tokens with your issuer's key (`convex-custom-jwt/issuer`), as
 * a service identity: no token endpoint to call. Convex verifies them against the JWKS your app's issuer
 * serves with the same key list.
 *
 *   CONVEX_URL=https://<your-deployment>.convex.cloud JWT_ISSUER=https://auth.example.com \
 *   JWT_KID=2025-01 JWT_PRIVATE_KEY="$(cat jwt-2025-01.pem)" npx tsx examples/node-script/index.ts
 */
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { createTokenManager } from "convex-custom-jwt";
import { connectConvex } from "convex-custom-jwt/convex";
import { createIssuer, type Issuer } from "convex-custom-jwt/issuer";

export interface ScriptOptions {
  convexUrl: string;
  /** The signer (your issuer's keys): the script mints its own tokens. */
  issuer: Issuer;
  /** Who the script is to Convex (the tokens' `sub`). */
  subject?: string;
  /** How many mutations to send, one every `intervalMs`. */
  iterations?: number;
  intervalMs?: number;
  /** Extra client options (the tests pass `skipConvexDeploymentUrlCheck` for a local URL). */
  clientOptions?: { skipConvexDeploymentUrlCheck?: boolean };
  log?: (line: string) => void;
}

/** Run the script; resolves with what it saw once it has signed out and closed everything. */
export async function run(options: ScriptOptions): Promise<{ sent: number; identities: string[]; minted: number }> {
  const { iterations = 10, intervalMs = 60_000, log = console.log, subject = "report-bot" } = options;
  let minted = 0;
  const tokens = createTokenManager({
    fetchToken: async () => {
      minted++;
      return (await options.issuer.mint(subject)).token;
    },
  });
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
  return { sent, identities, minted };
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const { CONVEX_URL, JWT_ISSUER, JWT_KID, JWT_PRIVATE_KEY } = process.env;
  if (!CONVEX_URL || !JWT_ISSUER || !JWT_KID || !JWT_PRIVATE_KEY) {
    console.error("Set CONVEX_URL, JWT_ISSUER, JWT_KID and JWT_PRIVATE_KEY (a PKCS#8 PEM).");
    process.exit(2);
  }
  createIssuer({
    issuer: JWT_ISSUER,
    applicationID: process.env.JWT_APPLICATION_ID ?? "convex",
    keys: [{ kid: JWT_KID, privateKey: JWT_PRIVATE_KEY }],
  })
    .then((issuer) => run({ convexUrl: CONVEX_URL, issuer }))
    .then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
}
