/**
 * Runs the example script for a simulated hour of 5-minute tokens against the local deployment, which
 * fetches the JWKS from the issuer kit's jwksHandler (as Convex fetches yours) and validates as the backend.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { generateKeyPair } from "jose";
import { afterEach, expect, it } from "vitest";
import { createIssuer, jwksHandler } from "../../src/issuer/index";
import { startLocalConvexDeployment } from "../../src/testing/index";
import { trackIo } from "../../src/testing/io-activity";
import { toNodeListener } from "../../test/issuer/node-listener";
import { useIntegrationClock } from "../../test/support/time";
import { run } from "./index";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

it("stays authenticated for an hour of 5-minute tokens, then signs out", async () => {
  const clock = useIntegrationClock();
  cleanups.push(() => clock.restore());
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const issuer = await createIssuer({
    issuer: "https://auth.test",
    applicationID: "convex",
    keys: [{ kid: "2025-01", privateKey }],
    lifetimeSec: 300,
  });
  const jwks = toNodeListener(jwksHandler(issuer));
  const server = createServer((req, res) => void trackIo(jwks(req, res)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  const deployment = await startLocalConvexDeployment({ providers: [issuer.provider(jwksUrl)] });
  cleanups.push(() => deployment.close());
  const lines: string[] = [];
  const done = run({
    convexUrl: deployment.url,
    // Signing is real async work: tracked, so fake time waits for it as it waits for loopback I/O.
    issuer: { ...issuer, mint: (subject, options) => trackIo(issuer.mint(subject, options)) },
    subject: "user_1",
    iterations: 60,
    intervalMs: 60_000,
    clientOptions: { skipConvexDeploymentUrlCheck: true },
    log: (line) => lines.push(line),
  });
  let result: Awaited<typeof done> | undefined;
  void done.then((r) => (result = r));
  await clock.until(() => result !== undefined, { timeoutMs: 70 * 60_000 });
  expect(result!.sent).toBe(60);
  expect(deployment.httpRequests.every((r) => r.status === 200)).toBe(true);
  expect(deployment.expiredTokensSent()).toBe(0);
  // 60 min of 5-min tokens, each refreshed 210–240 s after issue: 15–17 refreshes plus the first fetch.
  expect(result!.minted).toBeLessThanOrEqual(18);
  expect(result!.identities[0]).toBe("user_1");
  expect(lines.at(-1)).toBe("sent 60 reports");
}, 60_000);
