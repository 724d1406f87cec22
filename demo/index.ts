/**
 * `npm run demo`: the library's life as a readable timeline, with no external service.
 *
 * A local JWT issuer (RS256, 20-second tokens), its token endpoint, and a local Convex deployment that
 * validates the tokens as the real backend does; a Node `ConvexClient` (WebSocket) and a
 * `ConvexHttpClient`, both connected to one token manager. It shows the first fetch, a scheduled
 * rotation with its jittered time, a forced refresh through transient failures, a server-side rejection
 * recovered, an endpoint that hangs, and sign-out; then it exits 0 (about 40 seconds).
 *
 * With CONVEX_URL and CONVEX_TOKEN_URL set, it runs against your own deployment instead (see README).
 */
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { connectConvex } from "../src/convex/index";
import { createTokenManager, httpTokenFetcher, type TokenManager } from "../src/index";
import { startLocalStack } from "../test/support/stack";

const api = anyApi;
const started = Date.now();
const stamp = () => `+${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`;
const say = (who: string, text: string) => console.log(`${stamp()}  ${who.padEnd(9)} ${text}`);
const scene = (title: string) => console.log(`\n${stamp()}  ── ${title}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const inSeconds = (at: number) => `${((at - Date.now()) / 1000).toFixed(1)} s`;

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`demo: timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Print the manager's life as it happens. */
function narrate(manager: TokenManager): void {
  manager.on("refreshing", ({ reason, attempt }) =>
    say("manager", `fetching a token (reason: ${reason}${attempt > 1 ? `, attempt ${attempt}` : ""})`),
  );
  manager.on("token", ({ subject, expiresAt, refreshAt, tokenHint }) =>
    say(
      "manager",
      `got token ${tokenHint} for ${subject}: expires in ${inSeconds(expiresAt)}, refresh planned in ` +
        `${inSeconds(refreshAt)} (jittered)`,
    ),
  );
  manager.on("error", ({ error, attempt, retryAt, servingToken }) =>
    say(
      "manager",
      `attempt ${attempt} failed (${(error as Error).message.split(". ")[0]}); retry in ` +
        `${inSeconds(retryAt)}${servingToken ? ", still serving the valid token" : ""}`,
    ),
  );
  manager.on("signedOut", ({ reason }) => say("manager", `signed out (${reason})`));
}

async function localDemo(): Promise<void> {
  scene("Starting a local issuer, its token endpoint and a local Convex deployment");
  const stack = await startLocalStack({
    issuer: { lifetimeSec: 20, alg: "RS256" },
    jwksMaxAgeSec: 5,
    // Print what the deployment decides, as it decides it.
    onAuthenticate: (a) =>
      say(
        "convex",
        a.tokenType === "User"
          ? `Authenticate with a token → ${a.accepted ? "accepted" : `rejected: "${a.error}"`}`
          : `Authenticate ${a.tokenType} (no token) → signed out on the server`,
      ),
  });
  const { issuer, endpoint, deployment } = stack;
  say("setup", `issuer ${issuer.issuer} (RS256, kid ${issuer.kid}), token endpoint ${endpoint.tokenUrl}`);
  say(
    "setup",
    `Convex deployment ${deployment.url} with provider { type: "customJwt", applicationID: "${issuer.applicationID}" }`,
  );

  const manager = createTokenManager({
    fetchToken: httpTokenFetcher({ url: endpoint.tokenUrl }),
    retry: { baseDelayMs: 400, maxDelayMs: 3_000 },
    fetchTimeoutMs: 2_000,
  });
  narrate(manager);
  let tokens = 0;
  let failures = 0;
  manager.on("token", () => (tokens += 1));
  manager.on("error", () => (failures += 1));
  const socket = new ConvexClient(deployment.url, { skipConvexDeploymentUrlCheck: true, logger: false });
  const http = new ConvexHttpClient(deployment.url, { skipConvexDeploymentUrlCheck: true, logger: false });
  let who: string | null | undefined;
  socket.onUpdate(api.auth!.whoami!, {}, (identity: { subject?: string } | null) => {
    who = identity?.subject ?? null;
    say("socket", who ? `query auth:whoami → ${who}` : "query auth:whoami → null (not authenticated)");
  });
  const whoOverHttp = async () => {
    const identity = (await http.query(api.auth!.whoami!, {})) as { subject?: string } | null;
    const sent = deployment.httpRequests.at(-1)?.token !== undefined ? "sent with a token" : "sent with no token";
    say("http", `query auth:whoami (${sent}) → ${identity?.subject ?? "null (not authenticated)"}`);
  };

  scene("1. Connect both clients: one fetch and one Authenticate start the session");
  const disconnectSocket = connectConvex(socket, manager);
  const disconnectHttp = connectConvex(http, manager);
  await until(() => who === "user_1", "the socket to authenticate");
  await whoOverHttp();
  say("note", `token fetches so far: ${endpoint.requests}, Authenticate messages: ${deployment.authenticates.length}`);

  scene("2. Wait for the scheduled refresh (20 s tokens refresh at 70–80% of their life)");
  const before = endpoint.requests;
  await until(() => endpoint.requests > before && deployment.authenticates.length >= 2, "the scheduled rotation");
  await sleep(300);
  await http.mutation(api.messages!.send!, { body: "hello after a rotation" });
  say("http", "mutation messages:send → ok, with the new token");

  scene("3. A forced refresh while the endpoint answers 503 twice: retried with backoff, never signed out");
  endpoint.failNext(2, 503);
  await manager.refresh();
  await sleep(300);

  scene("4. The issuer rotates its key and the server rejects the token the client holds");
  await issuer.rotateKey({ keepOld: false });
  deployment.invalidateJwksCache();
  say("issuer", `rotated to kid ${issuer.kid}; the old key is gone from the JWKS`);
  deployment.dropConnections();
  say("convex", "dropped the socket (a network blip): the client reconnects with its old token");
  await until(() => deployment.authErrors.length > 0, "the server rejection");
  await until(() => deployment.authenticates.at(-1)?.accepted === true && who === "user_1", "the recovery");
  say("note", "recovered with one fresh token; the app never saw the user signed out");

  scene("5. The token endpoint hangs: the fetch is cut after 2 s and retried");
  endpoint.hangNext(1);
  await manager.refresh();
  await whoOverHttp();

  scene("6. Sign out");
  manager.signOut();
  await until(() => who === null, "the socket to sign out");
  await whoOverHttp();

  scene("Summary");
  disconnectSocket();
  disconnectHttp();
  await sleep(200);
  // Square the counts with "one fetch per rotation": every token came from exactly one successful fetch; the
  // other fetches are the failures of scenes 3 and 5. Every new token was authenticated once; the rest are
  // the old token re-sent after the reconnect of scene 4 (rejected) and the Authenticates with no token.
  const users = deployment.authenticates.filter((a) => a.tokenType === "User");
  const accepted = users.filter((a) => a.accepted).length;
  const none = deployment.authenticates.length - users.length;
  say(
    "note",
    `token fetches: ${endpoint.requests} = ${tokens} successful (one per token: start, scheduled rotation, forced ` +
      `refresh, ` +
      `after the rejection, after the hang) + ${failures} failed attempts (two 503s, one hung fetch cut by the ` +
      `timeout)`,
  );
  say(
    "note",
    `Authenticate messages: ${deployment.authenticates.length} = ${accepted} with a new token (one per token) + ` +
      `${users.length - accepted} old token re-sent on reconnect (rejected, scene 4) + ${none} with no token ` +
      `(sign-out, then disconnect)`,
  );
  say(
    "note",
    `HTTP requests: ${deployment.httpRequests.length}, expired tokens sent: ${deployment.expiredTokensSent()}`,
  );
  manager.dispose();
  await socket.close();
  await stack.close();
}

async function remoteDemo(convexUrl: string, tokenUrl: string): Promise<void> {
  const seconds = Number(process.env.DEMO_SECONDS ?? 60);
  scene(`Connecting to ${convexUrl} with tokens from ${tokenUrl} for ${seconds} s`);
  const headers = process.env.CONVEX_TOKEN_HEADERS
    ? (JSON.parse(process.env.CONVEX_TOKEN_HEADERS) as Record<string, string>)
    : undefined;
  const manager = createTokenManager({
    fetchToken: httpTokenFetcher({
      url: tokenUrl,
      method: process.env.CONVEX_TOKEN_METHOD === "POST" ? "POST" : "GET",
      headers,
    }),
  });
  narrate(manager);
  const socket = new ConvexClient(convexUrl);
  const disconnect = connectConvex(socket, manager, {
    onChange: (ok) => say("socket", ok ? "authenticated (confirmed by the server)" : "not authenticated"),
  });
  const query = process.env.CONVEX_QUERY;
  if (query)
    socket.onUpdate(query as never, {} as never, (value: unknown) =>
      say("socket", `query ${query} → ${JSON.stringify(value)}`),
    );
  await sleep(seconds * 1000);
  manager.signOut();
  await sleep(500);
  disconnect();
  manager.dispose();
  await socket.close();
}

const convexUrl = process.env.CONVEX_URL;
const tokenUrl = process.env.CONVEX_TOKEN_URL;
const run = convexUrl && tokenUrl ? remoteDemo(convexUrl, tokenUrl) : localDemo();
run.then(
  () => {
    console.log(`\n${stamp()}  done.`);
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
