/**
 * The local deployment's sync protocol with the real `ConvexClient` over a loopback WebSocket, on the
 * integration clock: Authenticate, subscriptions, Pings, the 5 s leeway and the session's expiry at `exp`.
 */
import { anyApi } from "convex/server";
import { describe, expect, it } from "vitest";
import { MSG, nowSec, useDeploymentFixtures } from "./fixtures";

const { setup, fakeClock, socketClient } = useDeploymentFixtures();

describe("local deployment + ConvexClient (sync protocol, fake time)", () => {
  it("connects, authenticates, and auth:whoami returns the identity", async () => {
    const clock = fakeClock();
    const { issuer, deployment } = await setup({ issuer: { alg: "ES256" } });
    const { client, authChanges, onChange } = socketClient(deployment);
    let identity: unknown;
    client.onUpdate(anyApi.auth!.whoami!, {}, (v) => (identity = v));
    client.setAuth(async () => issuer.mint({ claims: { org: { id: "o1", role: "admin" }, fva: [1, 2] } }), onChange);

    await clock.until(() => authChanges.length >= 2 && identity !== undefined && identity !== null);
    expect(identity).toEqual({
      tokenIdentifier: "https://issuer.test|user_1",
      subject: "user_1",
      issuer: "https://issuer.test",
      "org.id": "o1",
      "org.role": "admin",
    });
    expect(deployment.currentIdentity()).toEqual(identity);
    // The cached token, then the immediate "fresh" refetch: two Authenticates.
    expect(deployment.authenticates.map((a) => [a.baseVersion, a.tokenType, a.accepted])).toEqual([
      [0, "User", true],
      [1, "User", true],
    ]);
    expect(authChanges).toEqual([true, true]);
    expect(deployment.connections).toBe(1);

    await client.mutation(anyApi.messages!.send!, { body: "hello" });
    expect(await client.query(anyApi.messages!.list!, {})).toEqual([{ author: "user_1", body: "hello" }]);
    expect(await client.action(anyApi.auth!.echo!, {})).toEqual({ subject: "user_1" });
  });

  it("re-runs subscribed queries on every socket after a mutation", async () => {
    const clock = fakeClock();
    const { issuer, deployment } = await setup({ issuer: { alg: "ES256" } });
    const alice = socketClient(deployment);
    const anon = socketClient(deployment);
    alice.client.setAuth(async () => issuer.mint(), alice.onChange);
    let seen: unknown[] | undefined;
    anon.client.onUpdate(anyApi.messages!.list!, {}, (v) => (seen = v as unknown[]));
    await clock.until(() => alice.authChanges.length > 0 && seen !== undefined);

    void alice.client.mutation(anyApi.messages!.send!, { body: "hi" });
    await clock.until(() => seen!.length === 1);
    expect(seen).toEqual([{ author: "user_1", body: "hi" }]);
    expect(deployment.connections).toBe(2);
  });

  it("lets Convex rotate tokens over a simulated hour, keeping the socket alive with Pings", async () => {
    const clock = fakeClock();
    const { issuer, deployment } = await setup();
    const { client, authChanges, onChange } = socketClient(deployment);
    client.setAuth(async () => issuer.mint(), onChange); // 900 s tokens, Convex refreshes 10 s early
    await clock.until(() => authChanges.length >= 2);

    const started = performance.now();
    await clock.advance(60 * 60_000);
    const wallMs = performance.now() - started;

    // t=0: cached + fresh; then every 890 s: 890, 1780, 2670, 3560.
    expect(deployment.authenticates.map((a) => a.baseVersion)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(deployment.authenticates.every((a) => a.accepted && !a.expired)).toBe(true);
    expect(deployment.expiredTokensSent()).toBe(0);
    expect(deployment.authErrors).toEqual([]);
    // Without the 15 s Ping the client would reconnect after 60 s of silence.
    expect(deployment.connections).toBe(1);
    await client.mutation(anyApi.messages!.send!, { body: "still here" });
    expect(await client.query(anyApi.messages!.list!, {})).toEqual([{ author: "user_1", body: "still here" }]);
    // A regression guard, not a benchmark: one simulated hour takes well under a second here.
    expect(wallMs).toBeLessThan(15_000);
  });

  it("works with a fetcher that gets its tokens over HTTP, under fake time", async () => {
    const clock = fakeClock();
    const { endpoint, deployment } = await setup({ issuer: { alg: "ES256" }, jwksMaxAgeSec: 60 });
    const { client, authChanges, onChange } = socketClient(deployment);
    const fetchToken = async () => ((await (await fetch(endpoint.tokenUrl)).json()) as { token: string }).token;
    client.setAuth(fetchToken, onChange);
    await clock.until(() => authChanges.length >= 2);
    await clock.advance(30 * 60_000);
    // t=0 cached + fresh, then refreshes at 890 s and 1780 s.
    expect(deployment.authenticates.map((a) => a.accepted)).toEqual([true, true, true, true]);
    expect(endpoint.requests).toBe(4);
    // The deployment's JWKS cache (max-age 60) expired on the fake clock between refreshes.
    expect(endpoint.jwksRequests).toBe(3);
  });

  it.each([
    ["an unknown kid", { kid: "nope" }, MSG.kid("nope")],
    ["a wrong aud", { aud: "someone-else" }, MSG.noProvider],
    ["a wrong iss", { iss: "https://evil.test" }, MSG.noProvider],
    [
      "exp 12 s in the past (beyond the 5 s leeway)",
      { exp: -12 },
      "Could not validate token: Token expired 12 seconds ago",
    ],
    ["no sub", { sub: null }, MSG.badClaims],
  ] as const)("rejects %s with the backend's exact error", async (_name, overrides, error) => {
    const clock = fakeClock();
    const { issuer, deployment } = await setup({ issuer: { alg: "ES256" } });
    const { client, logs, authChanges, onChange } = socketClient(deployment);
    const mintBad = () => {
      const o = { ...overrides } as Record<string, unknown>;
      if (typeof o.exp === "number") o.exp = nowSec() + o.exp; // relative to the (fake) clock
      return issuer.mint(o);
    };
    client.setAuth(mintBad, onChange);
    await clock.until(() => authChanges.includes(false));

    // Cached token + 3 forced refetches, each rejected, then Convex gives up.
    expect(deployment.authenticates).toHaveLength(4);
    expect(deployment.authenticates.every((a) => !a.accepted && a.error === error)).toBe(true);
    expect(deployment.authErrors.map((e) => [e.error, e.authUpdateAttempted])).toEqual(
      Array.from({ length: 4 }, () => [error, true]),
    );
    expect(logs).toContain(`Failed to authenticate: "${error}", check your server auth config`);
    expect(authChanges).toEqual([false]);
  });

  it("accepts a token up to 5 s past exp at Authenticate, then expires the session at once (no leeway)", async () => {
    const clock = fakeClock();
    const { issuer, deployment } = await setup({ issuer: { alg: "ES256" } });
    const graceToken = await issuer.mint({ iat: nowSec() - 100, exp: nowSec() - 5 });
    const { client, authChanges, onChange } = socketClient(deployment);
    client.setAuth(async () => graceToken, onChange);
    await clock.until(() => authChanges.includes(false));
    // The JWT check passes (5 s leeway) but the session identity is already past
    // exp, so the first query run ends the socket with a non-auth-update error,
    // which Convex ignores while it waits for confirmation.
    expect(deployment.authenticates[0]).toMatchObject({ accepted: true, expired: true, baseVersion: 0 });
    expect(deployment.authErrors[0]).toMatchObject({
      error: "Convex token identity expired",
      authUpdateAttempted: false,
      baseVersion: 0,
    });
    // It reconnects after its backoff and re-sends the same token, now beyond the
    // leeway; the rejection makes it refetch, get the same token, and give up.
    const rejected = deployment.authenticates.find((a) => !a.accepted);
    expect(rejected?.error).toMatch(/^Could not validate token: Token expired \d+ seconds ago$/);
    expect(authChanges).toEqual([false]);
  });

  it("expires the identity mid-session at exp, lazily, with 'Convex token identity expired'", async () => {
    const clock = fakeClock();
    const { issuer, deployment } = await setup({ issuer: { alg: "ES256" } });
    // iat is backdated so Convex believes the token lives 60 s (refetch at +50 s)
    // while it really expires 10 s after it is issued.
    const shortLived = () => issuer.mint({ iat: nowSec() - 50, exp: nowSec() + 10 });
    let calls = 0;
    const { client, authChanges, onChange } = socketClient(deployment);
    client.setAuth(async () => (++calls <= 2 ? shortLived() : issuer.mint()), onChange);
    await clock.until(() => authChanges.length >= 2);
    const authenticatesBefore = deployment.authenticates.length;

    await clock.advance(15_000);
    // Nothing re-ran yet, so nothing noticed: the check is lazy.
    expect(deployment.authErrors).toEqual([]);

    await Promise.all([client.mutation(anyApi.messages!.send!, { body: "late" }), clock.until(() => calls >= 3)]);
    expect(deployment.authErrors).toEqual([
      expect.objectContaining({ error: "Convex token identity expired", authUpdateAttempted: false, baseVersion: 2 }),
    ]);
    // Convex re-authenticated with a fresh token on a new socket and replayed the mutation.
    expect(deployment.authenticates.length).toBeGreaterThan(authenticatesBefore);
    expect(deployment.authenticates.at(-1)).toMatchObject({ accepted: true, baseVersion: 0 });
    expect(deployment.connections).toBe(2);
    expect(await client.query(anyApi.messages!.list!, {})).toEqual([{ author: "user_1", body: "late" }]);
  });
});
