/**
 * Fixtures for the tests that prove the local deployment against the REAL Convex clients (convex 1.48.0):
 * `ConvexClient` over a real loopback WebSocket on the integration clock, and `ConvexHttpClient` over real
 * HTTP. Error strings are the backend's, verbatim.
 */
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { afterEach, expect } from "vitest";
import {
  createTestIssuer,
  startLocalConvexDeployment,
  startTokenEndpoint,
  type CustomJwtProvider,
  type LocalConvexDeployment,
  type TestIssuer,
  type TestIssuerOptions,
  type TokenEndpoint,
} from "../../../src/testing";
import { useIntegrationClock, type IntegrationClock } from "../../support/time";

export const nowSec = () => Math.floor(Date.now() / 1000);

export const provider = (issuer: TestIssuer, endpoint: TokenEndpoint): CustomJwtProvider => ({
  type: "customJwt",
  issuer: issuer.issuer,
  jwks: endpoint.jwksUrl,
  applicationID: issuer.applicationID,
  algorithm: issuer.alg,
});

/**
 * Call once at the top of a test file: everything a test starts through these helpers is registered with
 * `defer` and torn down in reverse after the test.
 */
export function useDeploymentFixtures() {
  const cleanups: (() => unknown)[] = [];
  const defer = (fn: () => unknown) => cleanups.push(fn);
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
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

  return { defer, setup, fakeClock, socketClient };
}

export function httpClient(deployment: LocalConvexDeployment, token?: string) {
  const client = new ConvexHttpClient(deployment.url, { skipConvexDeploymentUrlCheck: true, logger: false });
  if (token !== undefined) client.setAuth(token);
  return client;
}

/** The backend's 401 body, parsed from the Error that ConvexHttpClient throws. */
export async function httpAuthError(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = await promise.then(
    () => expect.fail("expected the request to be rejected"),
    (e: unknown) => e as Error,
  );
  return JSON.parse(err.message) as { code: string; message: string };
}

export const MSG = {
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
