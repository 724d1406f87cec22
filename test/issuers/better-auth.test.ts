/**
 * A real Better Auth server (better-auth 1.7.29: memory adapter, email and password, the `jwt` plugin with
 * RS256 keys and audience "convex") on loopback, its tokens reaching the real `ConvexClient` and
 * `ConvexHttpClient` through the local deployment. The fetcher is the README's: `httpTokenFetcher` on
 * `/api/auth/token` with the session cookie; Better Auth needs no fetcher of its own.
 *
 * Time is fake (the deployment, the manager and Better Auth itself all read the faked `Date`), so simulated
 * rotations of 15-minute tokens take well under a second. Guards the complaints of @convex-dev/better-auth
 * users: transient failures that become logouts (#353, #408), two token requests per login (#377), refresh
 * loops (#119, #122).
 */
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { describe, expect, it } from "vitest";
import { connectConvex } from "../../src/convex/index";
import { TokenManager } from "../../src/core/token-manager";
import { httpTokenFetcher } from "../../src/fetchers/http";
import { startLocalConvexDeployment, type LocalConvexDeployment } from "../../src/testing";
import { quietLogger } from "../convex/quiet-logger";
import { useCleanups } from "../support/cleanups";
import { useIntegrationClock, type IntegrationClock } from "../support/time";
import { BACKEND_MESSAGES, diagnoseToken } from "../../src/server";
import { startBetterAuth, TOKEN_PATH, type BetterAuthServer } from "./support/better-auth-server";
import { REAL_SERVER_SETTLE_MS } from "./support/loopback";

const api = anyApi;
const MIN = 60_000;
const cleanups = useCleanups();

interface World {
  auth: BetterAuthServer;
  deployment: LocalConvexDeployment;
  clock: IntegrationClock;
  manager: TokenManager;
  userId: string;
  cookie: string;
  authChanges: boolean[];
  whoami: () => string | null | undefined;
  tokenRequests: () => number;
  /** Distinct tokens Convex accepted on the socket. */
  acceptedTokens: () => number;
}

async function world(): Promise<World> {
  const auth = await startBetterAuth();
  cleanups.push(() => auth.close());
  const { cookie, userId } = await auth.signUp("Ada Lovelace", "ada@example.com"); // real time: before the clock
  const clock = useIntegrationClock(undefined, { maxSettleWallMs: REAL_SERVER_SETTLE_MS });
  cleanups.push(() => clock.restore());
  const deployment = await startLocalConvexDeployment({ providers: [auth.provider] });
  cleanups.push(() => deployment.close());
  const manager = new TokenManager({ fetchToken: httpTokenFetcher({ url: auth.tokenUrl, headers: { cookie } }) });
  cleanups.push(() => manager.dispose());
  const socket = new ConvexClient(deployment.url, { skipConvexDeploymentUrlCheck: true, logger: quietLogger });
  cleanups.push(() => socket.close());
  let who: string | null | undefined;
  socket.onUpdate(api.auth!.whoami!, {}, (identity: { subject?: string } | null) => {
    who = identity?.subject ?? null;
  });
  const authChanges: boolean[] = [];
  cleanups.push(connectConvex(socket, manager, { onChange: (v) => authChanges.push(v) }));
  return {
    auth,
    deployment,
    clock,
    manager,
    userId,
    cookie,
    authChanges,
    whoami: () => who,
    tokenRequests: () => auth.http.requests(TOKEN_PATH),
    acceptedTokens: () =>
      new Set(deployment.authenticates.filter((a) => a.tokenType === "User" && a.accepted).map((a) => a.token)).size,
  };
}

describe("Better Auth (jwt plugin, RS256) → convex-custom-jwt → Convex", () => {
  it("a user signs up and Convex sees their Better Auth id as subject, with one token request", async () => {
    const w = await world();
    await w.clock.until(() => w.whoami() === w.userId);
    await w.clock.advance(5_000);
    expect(w.tokenRequests()).toBe(1);
    expect(w.deployment.authenticates.map((a) => [a.tokenType, a.accepted])).toEqual([["User", true]]);
    // What Better Auth's default payload gives Convex: the user's fields as custom claims.
    const identity = w.deployment.currentIdentity();
    expect(identity).toMatchObject({
      subject: w.userId,
      issuer: w.auth.baseURL,
      tokenIdentifier: `${w.auth.baseURL}|${w.userId}`,
      email: "ada@example.com",
      name: "Ada Lovelace",
    });

    const httpClient = new ConvexHttpClient(w.deployment.url, {
      skipConvexDeploymentUrlCheck: true,
      logger: quietLogger,
    });
    cleanups.push(connectConvex(httpClient, w.manager));
    await expect(httpClient.query(api.auth!.whoami!, {})).resolves.toMatchObject({ subject: w.userId });
    expect(w.tokenRequests()).toBe(1); // the HTTP client shares the manager's token
  });

  it("one token request per rotation over two simulated hours of 15-minute tokens, none expired", async () => {
    const w = await world();
    await w.clock.until(() => w.whoami() === w.userId);
    await w.clock.advance(120 * MIN, { stepMs: 30_000 });
    // Each request minted a token Convex accepted: no wasted request, no second request per rotation.
    expect(w.tokenRequests()).toBe(w.acceptedTokens());
    // 15-minute tokens refreshed 60–90 s before exp: 120 min is 8 to 9 rotations after the first token.
    expect(w.tokenRequests()).toBeGreaterThanOrEqual(9);
    expect(w.tokenRequests()).toBeLessThanOrEqual(10);
    expect(w.deployment.expiredTokensSent()).toBe(0);
    expect(w.deployment.authErrors).toEqual([]);
    expect(w.authChanges).not.toContain(false);
    expect(w.whoami()).toBe(w.userId);
  });

  it("the token endpoint answers 503 across the refresh: retries, no sign-out, Convex keeps the user", async () => {
    const w = await world();
    await w.clock.until(() => w.whoami() === w.userId);
    const before = w.tokenRequests();
    w.auth.http.fail(TOKEN_PATH, 503);
    // Past the planned refresh (60–90 s before the 15-minute exp): the manager retries with backoff.
    await w.clock.advance(13 * MIN + 30_000, { stepMs: 10_000 });
    await w.clock.until(() => w.manager.getSnapshot().failures >= 2, { stepMs: 1_000 });
    expect(w.manager.getSnapshot()).toMatchObject({ status: "retrying", hasToken: true });
    expect(w.whoami()).toBe(w.userId);
    w.auth.http.fail(TOKEN_PATH, null);
    await w.clock.until(() => w.manager.getSnapshot().status === "valid" && w.acceptedTokens() === 2, {
      stepMs: 1_000,
    });
    expect(w.tokenRequests() - before).toBeGreaterThanOrEqual(3); // at least two 503s, then the token
    expect(w.authChanges).not.toContain(false);
    expect(w.deployment.expiredTokensSent()).toBe(0);
    expect(w.whoami()).toBe(w.userId);
  });

  it("signed out at Better Auth: the next refresh gets 401, the manager and Convex sign out", async () => {
    const w = await world();
    await w.clock.until(() => w.whoami() === w.userId);
    const signedOut: unknown[] = [];
    w.manager.on("signedOut", (event) => signedOut.push(event));
    // Signed out at Better Auth (another tab or device): the session is gone, the held token still valid.
    let done = false;
    const signingOut = w.auth.signOut(w.cookie).then(() => (done = true));
    await w.clock.until(() => done, { stepMs: 10 });
    await signingOut;
    const clock = w.clock;
    await clock.until(() => w.manager.getSnapshot().status === "signedOut", { timeoutMs: 20 * MIN, stepMs: 10_000 });
    await clock.until(() => w.whoami() === null, { stepMs: 100 });
    expect(signedOut).toHaveLength(1);
    expect(w.authChanges.at(-1)).toBe(false);
    const last = w.deployment.authenticates.at(-1)!;
    expect(last.tokenType).toBe("None"); // Convex was told: the socket no longer acts as the user
    await clock.advance(30 * MIN, { stepMs: 60_000 });
    expect(w.tokenRequests()).toBe(2); // the first token, then the one 401: no retry storm
  });

  it("the app signs out (Better Auth sign-out, then manager.signOut()): Convex drops the user at once", async () => {
    const w = await world();
    await w.clock.until(() => w.whoami() === w.userId);
    w.manager.signOut();
    await w.clock.until(() => w.whoami() === null, { stepMs: 100 });
    expect(w.deployment.authenticates.at(-1)!.tokenType).toBe("None");
    expect(w.tokenRequests()).toBe(1);
  });
});

describe("doctor on Better Auth's tokens", () => {
  it("RS256: every check passes; one warning, its JWKS is served without Cache-Control", async () => {
    const auth = await startBetterAuth();
    cleanups.push(() => auth.close());
    const { cookie, userId } = await auth.signUp("Ada Lovelace", "ada@example.com");
    const { token } = (await (await fetch(auth.tokenUrl, { headers: { cookie } })).json()) as { token: string };
    const diagnosis = await diagnoseToken(token, [auth.provider]);
    expect(diagnosis.ok).toBe(true);
    expect(diagnosis.provider).toEqual(auth.provider);
    // Convex would fetch the JWKS again for every token it validates (no max-age): the recipe says so.
    expect(diagnosis.findings.filter((f) => f.status !== "pass")).toEqual([
      expect.objectContaining({ status: "warn", code: "JWKS_CACHE_MISSING", party: "issuer" }),
    ]);
    expect(diagnosis.findings.find((f) => f.check === "claims")?.message).toContain(JSON.stringify(userId));
  });
});

describe("Better Auth with the jwt plugin's default keys (EdDSA)", () => {
  it("Convex rejects its tokens with the 'missing kid' words; diagnoseToken names EdDSA and the fix", async () => {
    const auth = await startBetterAuth({ alg: "EdDSA" });
    cleanups.push(() => auth.close());
    const { cookie } = await auth.signUp("Grace Hopper", "grace@example.com");
    const deployment = await startLocalConvexDeployment({ providers: [auth.provider] });
    cleanups.push(() => deployment.close());
    const response = await fetch(auth.tokenUrl, { headers: { cookie } });
    const { token } = (await response.json()) as { token: string };

    const client = new ConvexHttpClient(deployment.url, { skipConvexDeploymentUrlCheck: true, logger: quietLogger });
    client.setAuth(token);
    const rejection = await client.query(api.auth!.whoami!, {}).catch((error: unknown) => String(error));
    expect(rejection).toContain(BACKEND_MESSAGES.missingKid); // although the token has a kid

    const diagnosis = await diagnoseToken(token, [auth.provider]);
    const finding = diagnosis.findings.find((f) => f.status === "fail");
    expect(finding).toMatchObject({ code: "ALG_EDDSA", party: "issuer", backendMessage: BACKEND_MESSAGES.missingKid });
    expect(finding!.fix).toContain("keyPairConfig");
  });
});
