/**
 * A machine identity against a real OAuth 2.0 server: oidc-provider 9.13.3 on loopback issues ES256 JWT
 * access tokens (`typ: "at+jwt"`, audience "convex") through the `client_credentials` grant, and
 * `clientCredentialsFetcher` hands them to the real `ConvexHttpClient` and `ConvexClient` through the local
 * deployment. This also proves ES256 end to end. Time is fake: oidc-provider reads the faked `Date` too.
 */
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { describe, expect, it } from "vitest";
import { connectConvex } from "../../src/convex/index";
import { TokenFetchError } from "../../src/core/errors";
import { decodeJwtPart } from "../../src/core/jwt";
import { TokenManager } from "../../src/core/token-manager";
import { clientCredentialsFetcher } from "../../src/fetchers/client-credentials";
import { OAuthTokenError } from "../../src/fetchers/oauth-token-error";
import { startLocalConvexDeployment, type LocalConvexDeployment } from "../../src/testing";
import { quietLogger } from "../convex/quiet-logger";
import { useCleanups } from "../support/cleanups";
import { useIntegrationClock, type IntegrationClock } from "../support/time";
import { diagnoseToken } from "../../src/server";
import { REAL_SERVER_SETTLE_MS } from "./support/loopback";
import { CLIENT_ID, CLIENT_SECRET, startOidcProvider, type OidcServer } from "./support/oidc-server";

const api = anyApi;
const MIN = 60_000;
const cleanups = useCleanups();

interface World {
  oauth: OidcServer;
  deployment: LocalConvexDeployment;
  clock: IntegrationClock;
  manager: TokenManager;
  tokenRequests: () => number;
}

async function world(fetcher: Partial<Parameters<typeof clientCredentialsFetcher>[0]> = {}): Promise<World> {
  const clock = useIntegrationClock(undefined, { maxSettleWallMs: REAL_SERVER_SETTLE_MS });
  cleanups.push(() => clock.restore());
  const oauth = await startOidcProvider();
  cleanups.push(() => oauth.close());
  const deployment = await startLocalConvexDeployment({ providers: [oauth.provider] });
  cleanups.push(() => deployment.close());
  const manager = new TokenManager({
    fetchToken: clientCredentialsFetcher({
      tokenUrl: oauth.tokenUrl,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      scope: "convex",
      ...fetcher,
    }),
  });
  cleanups.push(() => manager.dispose());
  return { oauth, deployment, clock, manager, tokenRequests: () => oauth.http.requests("/token") };
}

function httpClient(w: World): ConvexHttpClient {
  const client = new ConvexHttpClient(w.deployment.url, { skipConvexDeploymentUrlCheck: true, logger: quietLogger });
  cleanups.push(connectConvex(client, w.manager));
  return client;
}

/** Await `promise` while fake time moves (a retry waits on a fake timer). */
async function settled<T>(
  w: World,
  promise: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  let result: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  promise.then(
    (value) => (result = { ok: true, value }),
    (error: unknown) => (result = { ok: false, error }),
  );
  await w.clock.until(() => result !== undefined, { stepMs: 100 });
  return result!;
}

describe("oidc-provider client_credentials (ES256 JWT access tokens) → Convex", () => {
  it("ConvexHttpClient: Convex sees the client as subject; the token carries what Convex needs", async () => {
    const w = await world();
    const client = httpClient(w);
    const identity = await settled(w, client.query(api.auth!.whoami!, {}));
    expect(identity).toMatchObject({ ok: true, value: { subject: CLIENT_ID, issuer: w.oauth.issuer } });
    // What a machine token carries (RFC 9068), and what Convex makes of it.
    const token = (await w.manager.getToken())!;
    expect(decodeJwtPart(token, "header")).toMatchObject({ alg: "ES256", typ: "at+jwt", kid: "es256-1" });
    const claims = decodeJwtPart(token, "payload");
    expect(claims).toMatchObject({ sub: CLIENT_ID, client_id: CLIENT_ID, aud: "convex", scope: "convex" });
    expect(typeof claims.iat).toBe("number"); // Convex's client needs iat to schedule its refetch
    expect((claims.exp as number) - (claims.iat as number)).toBe(300);
    // Custom claims reach ctx.auth.getUserIdentity(); the registered ones (jti, iat…) do not.
    const seen = (identity as { value: Record<string, unknown> }).value;
    expect(seen).toMatchObject({ client_id: CLIENT_ID, scope: "convex" });
    expect(seen).not.toHaveProperty("jti");
    expect(w.tokenRequests()).toBe(1);
    // doctor agrees: every check passes for a machine token (typ at+jwt, sub = the client id). One warning:
    // oidc-provider serves its JWKS without Cache-Control, so Convex would fetch it for every token.
    w.clock.restore();
    const diagnosis = await diagnoseToken(token, [w.oauth.provider]);
    expect(diagnosis.ok).toBe(true);
    expect(diagnosis.findings.filter((f) => f.status !== "pass")).toEqual([
      expect.objectContaining({ status: "warn", code: "JWKS_CACHE_MISSING", party: "issuer" }),
    ]);
  });

  it("ConvexClient: one token request per rotation for an hour of 5-minute tokens, none expired", async () => {
    const w = await world();
    const socket = new ConvexClient(w.deployment.url, { skipConvexDeploymentUrlCheck: true, logger: quietLogger });
    cleanups.push(() => socket.close());
    let who: string | null | undefined;
    socket.onUpdate(api.auth!.whoami!, {}, (identity: { subject?: string } | null) => {
      who = identity?.subject ?? null;
    });
    const changes: boolean[] = [];
    cleanups.push(connectConvex(socket, w.manager, { onChange: (v) => changes.push(v) }));
    await w.clock.until(() => who === CLIENT_ID);
    await w.clock.advance(60 * MIN, { stepMs: 10_000 });
    const accepted = new Set(
      w.deployment.authenticates.filter((a) => a.tokenType === "User" && a.accepted).map((a) => a.token),
    );
    expect(w.tokenRequests()).toBe(accepted.size);
    // 5-minute tokens refreshed 60–90 s before exp (20% and 10% of their life): one every 210–240 s, so the
    // first token and 15 to 18 rotations in an hour.
    expect(w.tokenRequests()).toBeGreaterThanOrEqual(16);
    expect(w.tokenRequests()).toBeLessThanOrEqual(19);
    expect(w.deployment.expiredTokensSent()).toBe(0);
    expect(w.deployment.authErrors).toEqual([]);
    expect(changes).not.toContain(false);
    expect(who).toBe(CLIENT_ID);
  });

  it("a wrong client secret: the caller gets invalid_client after one request, with what to fix", async () => {
    const w = await world({ clientSecret: "not-the-secret" });
    const result = await settled(w, w.manager.getToken());
    expect(result.ok).toBe(false);
    const error = (result as { error: unknown }).error as TokenFetchError;
    expect(error).toBeInstanceOf(TokenFetchError);
    expect(error.cause).toBeInstanceOf(OAuthTokenError);
    expect(error.cause).toMatchObject({ status: 401, oauthError: "invalid_client", retryable: false });
    expect(error.message).toContain("the app must check clientCredentialsFetcher's `clientId` and `clientSecret`");
    expect(error.message).not.toContain("not-the-secret");
    expect(w.tokenRequests()).toBe(1);
    // In the background the manager tries again only at its capped delay (30 s): no storm.
    await w.clock.advance(5 * MIN, { stepMs: 5_000 });
    expect(w.tokenRequests()).toBeLessThanOrEqual(11);
  });

  it("an unknown resource indicator: invalid_target, not retried", async () => {
    const w = await world({ resource: "urn:not:registered" });
    const result = await settled(w, w.manager.getToken());
    const error = (result as { error: TokenFetchError }).error;
    expect(error.cause).toMatchObject({ status: 400, oauthError: "invalid_target", retryable: false });
    expect(w.tokenRequests()).toBe(1);
  });

  it("the token endpoint answers 503 then heals: the HTTP call waits through the retries and succeeds", async () => {
    const w = await world();
    w.oauth.http.fail("/token", 503, { "retry-after": "2" });
    const client = httpClient(w);
    const query = client.query(api.auth!.whoami!, {});
    await w.clock.until(() => w.tokenRequests() >= 2, { stepMs: 500 });
    w.oauth.http.fail("/token", null);
    await expect(settled(w, query)).resolves.toMatchObject({ ok: true, value: { subject: CLIENT_ID } });
    expect(w.tokenRequests()).toBe(3);
  });
});
