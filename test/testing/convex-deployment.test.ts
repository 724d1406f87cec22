/**
 * Proves the test support kit against the REAL Convex clients (convex 1.48.0):
 * `ConvexClient` over a real loopback WebSocket with fake time, and
 * `ConvexHttpClient` over real HTTP. Error strings are the backend's, verbatim.
 */
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { jwtDecode } from "jwt-decode";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startLocalConvexDeployment } from "../../src/testing/convex-deployment";
import type { CustomJwtProvider, LocalConvexDeployment } from "../../src/testing/deployment/types";
import { createTestIssuer, type TestIssuer, type TestIssuerOptions } from "../../src/testing/test-issuer";
import { unsignedJwt } from "../../src/testing/unsigned-jwt";
import { useIntegrationClock, type IntegrationClock } from "../support/time";
import { startTokenEndpoint, type TokenEndpoint } from "../../src/testing/token-endpoint";

// ---------------------------------------------------------------------------
// Cleanup: everything a test starts is registered here and torn down in reverse.
// ---------------------------------------------------------------------------

const cleanups: (() => unknown)[] = [];
const defer = (fn: () => unknown) => cleanups.push(fn);
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const nowSec = () => Math.floor(Date.now() / 1000);

const provider = (issuer: TestIssuer, endpoint: TokenEndpoint): CustomJwtProvider => ({
  type: "customJwt",
  issuer: issuer.issuer,
  jwks: endpoint.jwksUrl,
  applicationID: issuer.applicationID,
  algorithm: issuer.alg,
});

/** Issuer + token endpoint + deployment, all closed after the test. */
async function setup(o: { issuer?: TestIssuerOptions; jwksMaxAgeSec?: number; now?: () => number } = {}) {
  const issuer = await createTestIssuer({ ...o.issuer, ...(o.now ? { now: o.now } : {}) });
  const endpoint = await startTokenEndpoint(issuer, { jwksMaxAgeSec: o.jwksMaxAgeSec });
  defer(() => endpoint.close());
  const deployment = await startLocalConvexDeployment({
    providers: [provider(issuer, endpoint)],
    ...(o.now ? { now: o.now } : {}),
  });
  defer(() => deployment.close());
  return { issuer, endpoint, deployment };
}

function fakeClock(): IntegrationClock {
  const clock = useIntegrationClock();
  defer(() => clock.restore());
  return clock;
}

/** A real ConvexClient whose log lines are captured (and kept off the console). */
function socketClient(deployment: LocalConvexDeployment) {
  const logs: string[] = [];
  const line = (...args: unknown[]) => logs.push(args.map(String).join(" "));
  const client = new ConvexClient(deployment.url, {
    skipConvexDeploymentUrlCheck: true,
    logger: { logVerbose: () => {}, log: line, warn: line, error: line },
  });
  defer(() => client.close());
  const authChanges: boolean[] = [];
  return { client, logs, authChanges, onChange: (v: boolean) => authChanges.push(v) };
}

function httpClient(deployment: LocalConvexDeployment, token?: string) {
  const client = new ConvexHttpClient(deployment.url, { skipConvexDeploymentUrlCheck: true, logger: false });
  if (token !== undefined) client.setAuth(token);
  return client;
}

/** The backend's 401 body, parsed from the Error that ConvexHttpClient throws. */
async function httpAuthError(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = await promise.then(
    () => expect.fail("expected the request to be rejected"),
    (e: unknown) => e as Error,
  );
  return JSON.parse(err.message) as { code: string; message: string };
}

const MSG = {
  noProvider:
    "No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your " +
    "configured providers: [CustomJWT(issuer=https://issuer.test, app_id=convex)]",
  kid: (kid: string) =>
    `Could not decode token. The JWT's 'kid' (key ID) header is '${kid}', does this key match any key in the ` +
    `provider's JWKS?`,
  missingKid: "Could not decode token. JWT may be missing a 'kid' (key ID) header.",
  badClaims:
    "Could not verify token claim. Check that the JWT contains valid claims and matches your auth provider " +
    "configuration.",
  missingIss:
    "Missing issuer claim ('iss') in JWT payload. The JWT must include an 'iss' claim that matches one of your " +
    "configured auth providers.",
  unparseable:
    "Could not parse JWT payload. Check that the token is a valid JWT format with three base64-encoded parts " +
    "separated by dots.",
};

// ---------------------------------------------------------------------------

describe("createTestIssuer", () => {
  it("mints tokens with defaults from the issuer clock, a fresh jti, and honours null = omit", async () => {
    vi.useFakeTimers({ now: Date.UTC(2030, 0, 1), toFake: ["Date"] });
    defer(() => vi.useRealTimers());
    const issuer = await createTestIssuer({ alg: "ES256" });
    const a = await issuer.mint();
    const b = await issuer.mint();
    expect(a).not.toBe(b);
    expect(decodeJwt(a)).toMatchObject({
      iss: "https://issuer.test",
      aud: "convex",
      sub: "user_1",
      iat: Date.UTC(2030, 0, 1) / 1000,
      exp: Date.UTC(2030, 0, 1) / 1000 + 900,
    });
    expect(decodeJwt(a).jti).not.toBe(decodeJwt(b).jti);
    expect(decodeProtectedHeader(a)).toEqual({ alg: "ES256", typ: "JWT", kid: issuer.kid });

    const bare = decodeJwt(
      await issuer.mint({ sub: null, iat: null, aud: null, iss: null, exp: null, claims: { nbf: 5 } }),
    );
    expect(Object.keys(bare).sort()).toEqual(["jti", "nbf"]);
    expect(decodeProtectedHeader(await issuer.mint({ kid: null }))).toEqual({ alg: "ES256", typ: "JWT" });

    const { payload } = await jwtVerify(a, createLocalJWKSet(issuer.jwks() as never));
    expect(payload.sub).toBe("user_1");
  });

  it("rotates keys, keeping the old public key only when asked", async () => {
    const issuer = await createTestIssuer({ alg: "ES256" });
    const first = issuer.kid;
    await issuer.rotateKey({ keepOld: true });
    expect(issuer.jwks().keys.map((k) => k.kid)).toEqual([first, issuer.kid]);
    await issuer.rotateKey();
    expect(issuer.jwks().keys).toHaveLength(1);
    expect(issuer.jwks().keys[0]).toMatchObject({ kid: issuer.kid, alg: "ES256", use: "sig", kty: "EC" });
  });

  it("unsignedJwt is decodable synchronously", () => {
    const token = unsignedJwt({ sub: "u", iat: 1, exp: 2 });
    expect(jwtDecode(token)).toEqual({ sub: "u", iat: 1, exp: 2 });
    expect(jwtDecode(token, { header: true })).toEqual({ alg: "RS256", typ: "JWT" });
  });
});

describe("startTokenEndpoint", () => {
  it("serves tokens (GET and POST) and a cacheable JWKS", async () => {
    const { issuer, endpoint } = await setup({ jwksMaxAgeSec: 7 });
    for (const method of ["GET", "POST"]) {
      const res = await fetch(endpoint.tokenUrl, { method });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/json");
      const { token } = (await res.json()) as { token: string };
      const { payload } = await jwtVerify(token, createLocalJWKSet(issuer.jwks() as never));
      expect(payload.sub).toBe("user_1");
    }
    const jwks = await fetch(endpoint.jwksUrl);
    expect(jwks.headers.get("content-type")).toBe("application/json");
    expect(jwks.headers.get("cache-control")).toBe("max-age=7");
    expect(await jwks.json()).toEqual(issuer.jwks());
    expect(endpoint.requests).toBe(2);
    expect(endpoint.jwksRequests).toBe(1);
  });

  it("failNext (with Retry-After), hangNext, signOut/signIn", async () => {
    const { endpoint } = await setup({ issuer: { alg: "ES256" } });

    endpoint.failNext(2, 503, { retryAfterSec: 7 });
    for (let i = 0; i < 2; i++) {
      const res = await fetch(endpoint.tokenUrl);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("7");
    }
    endpoint.failNext(1, 500);
    const plain = await fetch(endpoint.tokenUrl);
    expect([plain.status, plain.headers.get("retry-after")]).toEqual([500, null]);
    expect((await fetch(endpoint.tokenUrl)).status).toBe(200);

    endpoint.hangNext(1);
    const abort = new AbortController();
    const hung = fetch(endpoint.tokenUrl, { signal: abort.signal });
    const before = endpoint.requests;
    // Real I/O turns (not a sleep) until the server has the request.
    while (endpoint.requests === before) await new Promise((r) => setImmediate(r));
    abort.abort();
    await expect(hung).rejects.toThrow(/abort/i);
    expect((await fetch(endpoint.tokenUrl)).status).toBe(200);

    endpoint.signOut();
    expect((await fetch(endpoint.tokenUrl)).status).toBe(401);
    endpoint.signIn("user_2");
    const { token } = (await (await fetch(endpoint.tokenUrl)).json()) as { token: string };
    expect(decodeJwt(token).sub).toBe("user_2");
    expect(endpoint.requests).toBe(8);
  });

  it("close() releases a request that is still hanging", async () => {
    const { endpoint } = await setup({ issuer: { alg: "ES256" } });
    endpoint.hangNext(1);
    const hung = fetch(endpoint.tokenUrl);
    while (endpoint.requests === 0) await new Promise((r) => setImmediate(r));
    await endpoint.close();
    await expect(hung).rejects.toThrow();
  });
});

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

describe("local deployment + ConvexHttpClient (HTTP API)", () => {
  it("answers with the identity, or 401 InvalidAuthHeader for a token expired beyond the leeway", async () => {
    // A frozen server clock keeps "N seconds ago" exact.
    const t = Date.UTC(2030, 0, 1);
    const { issuer, deployment } = await setup({ issuer: { alg: "ES256" }, now: () => t });
    expect(await httpClient(deployment).query(anyApi.auth!.whoami!, {})).toBeNull();
    const ok = await httpClient(deployment, await issuer.mint({ exp: t / 1000 - 3 })).query(anyApi.auth!.whoami!, {});
    expect(ok).toMatchObject({ subject: "user_1" }); // HTTP has the 5 s leeway and no mid-session check

    const expired = httpClient(deployment, await issuer.mint({ exp: t / 1000 - 10 }));
    expect(await httpAuthError(expired.query(anyApi.auth!.whoami!, {}))).toEqual({
      code: "InvalidAuthHeader",
      message: "Could not validate token: Token expired 10 seconds ago",
    });
    expect(deployment.httpRequests.map((r) => [r.status, r.expired])).toEqual([
      [200, false],
      [200, true],
      [401, true],
    ]);
    expect(deployment.expiredTokensSent()).toBe(2);
  });

  it("reproduces the backend's validation errors", async () => {
    const t = Date.UTC(2030, 0, 1);
    const { issuer, deployment } = await setup({ issuer: { alg: "ES256" }, now: () => t });
    const s = t / 1000;
    const other = await createTestIssuer({ alg: "RS256" });
    const good = await issuer.mint();
    const [h, p] = good.split(".");
    const forged = Buffer.from(JSON.stringify({ ...decodeJwt(good), sub: "mallory" })).toString("base64url");
    const tampered = `${h}.${forged}.${good.split(".")[2]}`;
    const cases: [string, string, string][] = [
      [await issuer.mint({ kid: null }), "InvalidAuthHeader", MSG.missingKid],
      [await issuer.mint({ kid: "nope" }), "InvalidAuthHeader", MSG.kid("nope")],
      [await other.mint(), "InvalidAuthHeader", MSG.kid(other.kid)], // RS256 token, ES256 provider
      [tampered, "InvalidAuthHeader", MSG.kid(issuer.kid)],
      [unsignedJwt(decodeJwt(good), { alg: "ES256", kid: issuer.kid }), "InvalidAuthHeader", MSG.kid(issuer.kid)],
      [await issuer.mint({ aud: ["a", "b"] }), "NoAuthProvider", MSG.noProvider],
      [await issuer.mint({ iss: "http://issuer.test" }), "NoAuthProvider", MSG.noProvider],
      [await issuer.mint({ iss: null }), "InvalidAuthHeader", MSG.missingIss],
      [await issuer.mint({ exp: s - 6 }), "InvalidAuthHeader", "Could not validate token: Token expired 6 seconds ago"],
      [
        await issuer.mint({ iat: s + 60 }),
        "InvalidAuthHeader",
        "Could not validate token: Token will be valid in 60 seconds",
      ],
      [
        await issuer.mint({ claims: { nbf: s + 30 } }),
        "InvalidAuthHeader",
        "Could not validate token: Token will be valid in 30 seconds",
      ],
      [await issuer.mint({ sub: null }), "InvalidAuthHeader", MSG.badClaims],
      [await issuer.mint({ exp: null }), "InvalidAuthHeader", MSG.badClaims],
      [`${h}.${p}`, "InvalidAuthHeader", MSG.kid(issuer.kid)],
      ["not-a-jwt", "InvalidAuthHeader", MSG.unparseable],
      [await issuer.mint({ claims: { exp: "soon" } }), "InvalidAuthHeader", MSG.unparseable],
    ];
    for (const [token, code, message] of cases) {
      expect(await httpAuthError(httpClient(deployment, token).query(anyApi.auth!.whoami!, {}))).toEqual({
        code,
        message,
      });
    }
    // The issuer normalization and leeway edges that must pass.
    for (const token of [
      await issuer.mint({ iss: "issuer.test" }), // gets https:// prepended
      await issuer.mint({ iss: "https://issuer.test/" }), // trailing slash trimmed
      await issuer.mint({ aud: ["x", "convex"] }),
      await issuer.mint({ exp: s - 5 }),
      await issuer.mint({ iat: s + 5 }),
      await issuer.mint({ iat: null }),
    ]) {
      expect(await httpClient(deployment, token).query(anyApi.auth!.whoami!, {})).toMatchObject({ subject: "user_1" });
    }
  });

  it("honours the JWKS Cache-Control max-age", async () => {
    let t = Date.UTC(2030, 0, 1);
    const { issuer, endpoint, deployment } = await setup({ issuer: { alg: "ES256" }, jwksMaxAgeSec: 60, now: () => t });
    const whoami = async () => httpClient(deployment, await issuer.mint()).query(anyApi.auth!.whoami!, {});
    await whoami();
    await whoami();
    expect(endpoint.jwksRequests).toBe(1);
    t += 59_000;
    await whoami();
    expect(endpoint.jwksRequests).toBe(1);
    t += 1_000;
    await whoami();
    expect(endpoint.jwksRequests).toBe(2);
    deployment.invalidateJwksCache();
    await whoami();
    expect(endpoint.jwksRequests).toBe(3);
  });

  it("sees a rotated key only when the cached JWKS goes stale; without keepOld old tokens then fail", async () => {
    let t = Date.UTC(2030, 0, 1);
    const { issuer, deployment } = await setup({ issuer: { alg: "ES256" }, jwksMaxAgeSec: 60, now: () => t });
    const call = (token: string) => httpClient(deployment, token).query(anyApi.auth!.whoami!, {});
    const oldToken = await issuer.mint();
    const oldKid = issuer.kid;
    await call(oldToken); // caches the JWKS

    await issuer.rotateKey(); // the old public key is gone from the JWKS
    const newToken = await issuer.mint();
    expect(await httpAuthError(call(newToken))).toEqual({ code: "InvalidAuthHeader", message: MSG.kid(issuer.kid) });
    expect(await call(oldToken)).toMatchObject({ subject: "user_1" }); // still in the cached JWKS

    t += 60_000;
    expect(await call(newToken)).toMatchObject({ subject: "user_1" });
    expect(await httpAuthError(call(oldToken))).toEqual({ code: "InvalidAuthHeader", message: MSG.kid(oldKid) });

    await issuer.rotateKey({ keepOld: true });
    deployment.invalidateJwksCache();
    expect(await call(newToken)).toMatchObject({ subject: "user_1" });
    expect(await call(await issuer.mint())).toMatchObject({ subject: "user_1" });
  });

  it("reports JWKS fetch failures like the backend", async () => {
    const issuer = await createTestIssuer({ alg: "ES256" });
    const endpoint = await startTokenEndpoint(issuer);
    defer(() => endpoint.close());
    // A JWKS served with the wrong Content-Type.
    const textServer = createServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end(JSON.stringify(issuer.jwks()));
    });
    await new Promise<void>((r) => textServer.listen(0, "127.0.0.1", r));
    defer(() => new Promise((r) => textServer.close(r)));
    const textUrl = `http://127.0.0.1:${(textServer.address() as AddressInfo).port}/jwks`;
    const missingUrl = `${endpoint.url}/missing.json`;
    const dataUrl = `data:application/json;base64,${Buffer.from(JSON.stringify(issuer.jwks())).toString("base64")}`;

    const cases: [string, string | null][] = [
      [
        missingUrl,
        `Could not fetch JWKS from URL '${missingUrl}': HTTP 404 Not Found. Check that the URL is correct and ` +
          `accessible.`,
      ],
      [
        textUrl,
        `Invalid Content-Type 'text/plain' when fetching JWKS from '${textUrl}'. Expected 'application/json' or ` +
          `'application/jwk-set+json'.`,
      ],
      [dataUrl, null], // data: URLs are allowed and skip the Content-Type check
    ];
    for (const [jwks, message] of cases) {
      const deployment = await startLocalConvexDeployment({
        providers: [{ type: "customJwt", issuer: issuer.issuer, jwks, applicationID: "convex", algorithm: "ES256" }],
      });
      defer(() => deployment.close());
      const result = httpClient(deployment, await issuer.mint()).query(anyApi.auth!.whoami!, {});
      if (message === null) expect(await result).toMatchObject({ subject: "user_1" });
      else expect(await httpAuthError(result)).toEqual({ code: "InvalidAuthHeader", message });
    }
  });
});

describe("local deployment: more of the backend's checks, string by string", () => {
  async function raw(deployment: LocalConvexDeployment, authorization: string) {
    const res = await fetch(`${deployment.url}/api/query`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: authorization },
      body: JSON.stringify({ path: "auth:whoami", format: "convex_encoded_json", args: [{}] }),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  }

  it("answers malformed Authorization headers as the backend's extractor does", async () => {
    const { deployment } = await setup({ issuer: { alg: "ES256" } });
    expect(await raw(deployment, "Bearer")).toEqual({
      status: 400,
      body: { code: "InvalidHeaderFailure", message: "Invalid authentication header" },
    });
    expect(await raw(deployment, "Convex prod:abc|def")).toEqual({
      status: 401,
      body: { code: "BadAdminKey", message: "The provided admin key was invalid for this instance" },
    });
    expect(await raw(deployment, "Basic dXNlcjpwYXNz")).toEqual({
      status: 400,
      body: { code: "InvalidAdminKey", message: "Invalid admin key" },
    });
  });

  it("checks the JWKS charset, body and reachability, and decodes data: URLs, with the backend's strings", async () => {
    const issuer = await createTestIssuer({ alg: "ES256" });
    const routes: Record<string, [string, string]> = {
      "/latin1": ["application/json; charset=iso-8859-1", JSON.stringify(issuer.jwks())],
      "/jwkset": ["application/jwk-set+json; charset=UTF-8", JSON.stringify(issuer.jwks())],
      "/nokeys": ["application/json", '{"keys":[{"kid":"no-kty"}]}'],
      "/notjson": ["application/json", "<html>"],
    };
    const server = createServer((req, res) => {
      const [type, body] = routes[req.url ?? ""] ?? ["text/plain", ""];
      res.writeHead(200, { "Content-Type": type });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    defer(() => new Promise((r) => server.close(r)));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const closed = "http://127.0.0.1:1/jwks.json";
    const cases: [string, string | null][] = [
      [
        `${base}/latin1`,
        `Invalid Content-Type 'application/json; charset=iso-8859-1' when fetching JWKS from '${base}/latin1'. ` +
          `Expected 'application/json' or 'application/jwk-set+json'.`,
      ],
      [`${base}/jwkset`, null],
      [
        `${base}/nokeys`,
        `Invalid JWKS response body from '${base}/nokeys'. The response is not valid JSON or doesn't match the ` +
          `expected JWKS format.`,
      ],
      [
        `${base}/notjson`,
        `Invalid JWKS response body from '${base}/notjson'. The response is not valid JSON or doesn't match the ` +
          `expected JWKS format.`,
      ],
      [
        closed,
        `Could not fetch JWKS from URL '${closed}': error sending request for url (${closed}). Check that the URL ` +
          `is correct and accessible.`,
      ],
      [
        "data:application/json;base64,%%%",
        "Invalid JWKS data URL. Check that the data URL is properly formatted and contains valid base64-encoded JSON.",
      ],
      [`data:application/json,${encodeURIComponent(JSON.stringify(issuer.jwks()))}`, null],
    ];
    for (const [jwks, message] of cases) {
      const deployment = await startLocalConvexDeployment({
        providers: [{ type: "customJwt", issuer: issuer.issuer, jwks, applicationID: "convex", algorithm: "ES256" }],
      });
      defer(() => deployment.close());
      const result = httpClient(deployment, await issuer.mint()).query(anyApi.auth!.whoami!, {});
      if (message === null) expect(await result).toMatchObject({ subject: "user_1" });
      else expect(await httpAuthError(result)).toEqual({ code: "InvalidAuthHeader", message });
    }
  });

  it("lists every provider in the NoAuthProvider message, and says when none is configured", async () => {
    const issuer = await createTestIssuer({ alg: "ES256" });
    const none = await startLocalConvexDeployment({ providers: [] });
    defer(() => none.close());
    expect(await httpAuthError(httpClient(none, await issuer.mint()).query(anyApi.auth!.whoami!, {}))).toEqual({
      code: "NoAuthProvider",
      message:
        "No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts.",
    });
    const two = await startLocalConvexDeployment({
      providers: [
        { type: "customJwt", issuer: "auth.one.test", jwks: issuer.provider.jwks, algorithm: "ES256" },
        {
          type: "customJwt",
          issuer: "https://auth.two.test",
          jwks: issuer.provider.jwks,
          applicationID: "app2",
          algorithm: "RS256",
        },
      ],
    });
    defer(() => two.close());
    expect(await httpAuthError(httpClient(two, await issuer.mint()).query(anyApi.auth!.whoami!, {}))).toEqual({
      code: "NoAuthProvider",
      message:
        "No auth provider found matching the given token. Check that your JWT's issuer and audience match one of " +
        "your configured providers: [CustomJWT(issuer=https://auth.one.test, app_id=none), " +
        "CustomJWT(issuer=https://auth.two.test, app_id=app2)]",
    });
  });
});
