/**
 * Key rotation under load, against the local deployment (whose JWKS cache follows Cache-Control, and which does
 * not refetch on an unknown kid, as the backend). Live ConvexClients stay connected through connectConvex
 * while the key rotates three times; fake time, real sockets. The pain point: a new key used before every
 * cached JWKS copy has it signs live users out until the cache runs out (MCPJam/inspector PR #1606). The same
 * scenario with a naive rotation (sign with the new key at once) shows the rejections: the pitfall is real.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import { decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { connectConvex } from "../../src/convex/index";
import { createTokenManager, httpTokenFetcher, type TokenManager } from "../../src/index";
import { createIssuer, jwksHandler, tokenHandler } from "../../src/issuer/index";
import { createTestIssuer, startLocalConvexDeployment, type CustomJwtProvider } from "../../src/testing/index";
import { noteIo, trackIo } from "../../src/testing/io-activity";
import { quietLogger } from "../convex/quiet-logger";
import { useCleanups } from "../support/cleanups";
import { useIntegrationClock, type IntegrationClock } from "../support/time";
import { keyForms } from "./keys";
import { toNodeListener } from "./node-listener";

const cleanups = useCleanups();
const S = 1000;
const CLIENTS = 4;
const MAX_AGE_SEC = 4;
const MARGIN_SEC = 1;
const LIFETIME_SEC = 20;
/** When each new key starts signing, after the scenario starts. */
const ROTATIONS = [30 * S, 60 * S, 90 * S];
const END = 130 * S;
/** How long before a rotation one client re-authenticates: Convex then holds a JWKS copy this old at the switch. */
const PROBE_BEFORE = MAX_AGE_SEC * S - 500;

/** An issuer under test: where its endpoints are, and what to do at a rotation instant (if anything). */
interface Served {
  tokenUrl: string;
  provider: CustomJwtProvider;
  rotate(): Promise<void>;
}

/** The kit: four keys, each starting to sign at a ROTATIONS instant; nothing happens at the rotation. */
async function kitIssuer(start: number): Promise<Served> {
  const keys = await Promise.all([0, 1, 2, 3].map(() => keyForms("ES256")));
  const issuer = await createIssuer({
    issuer: "https://auth.test",
    applicationID: "convex",
    lifetimeSec: LIFETIME_SEC,
    jwksMaxAgeSec: MAX_AGE_SEC,
    rotationMarginSec: MARGIN_SEC,
    keys: keys.map((k, i) => ({
      kid: `k${i}`,
      privateKey: k.pem,
      ...(i > 0 ? { signFrom: start + ROTATIONS[i - 1]! } : {}),
    })),
  });
  const jwks = toNodeListener(jwksHandler(issuer));
  const token = toNodeListener(tokenHandler(issuer, { authenticate: (r) => r.headers.get("x-user") }));
  const server = createServer((req, res) => {
    noteIo();
    void trackIo((req.url === "/jwks" ? jwks : token)(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { tokenUrl: `${url}/token`, provider: issuer.provider(`${url}/jwks`), rotate: async () => {} };
}

/** A hand-written issuer that rotates naively: the new key is published and signs at the same instant. */
async function naiveIssuer(): Promise<Served> {
  const issuer = await createTestIssuer({
    issuer: "https://auth.test",
    algorithm: "ES256",
    lifetimeSeconds: LIFETIME_SEC,
  });
  const served = await issuer.serve({ jwksMaxAgeSec: MAX_AGE_SEC });
  cleanups.push(() => served.close());
  return { tokenUrl: served.tokenUrl, provider: served.provider, rotate: () => issuer.rotateKey({ keepOld: true }) };
}

interface Outcome {
  rejected: string[];
  signedOut: number;
  acceptedKids: string[];
  expiredSent: number;
  whoami: (string | null)[];
}

/** CLIENTS live clients through connectConvex; every rotation: one Authenticate just before, all refresh at it. */
async function scenario(clock: IntegrationClock, served: Served, start: number): Promise<Outcome> {
  const deployment = await startLocalConvexDeployment({ providers: [served.provider] });
  cleanups.push(() => deployment.close());
  let signedOut = 0;
  const managers: TokenManager[] = [];
  const who: (string | null)[] = [];
  for (let i = 0; i < CLIENTS; i++) {
    const manager = createTokenManager({
      fetchToken: httpTokenFetcher({ url: served.tokenUrl, headers: { "x-user": `user_${i}` } }),
    });
    manager.on("signedOut", () => signedOut++);
    cleanups.push(() => manager.dispose());
    const client = new ConvexClient(deployment.url, { skipConvexDeploymentUrlCheck: true, logger: quietLogger });
    cleanups.push(() => client.close());
    let wasIn = false;
    cleanups.push(
      connectConvex(client, manager, {
        onChange: (isIn) => {
          if (wasIn && !isIn) signedOut++;
          wasIn ||= isIn;
        },
      }),
    );
    client.onUpdate(anyApi.auth!.whoami!, {}, (identity: { subject?: string } | null) => {
      who[i] = identity?.subject ?? null;
    });
    managers.push(manager);
  }
  await clock.until(() => who.filter(Boolean).length === CLIENTS);
  for (const at of ROTATIONS) {
    await clock.advance(start + at - PROBE_BEFORE - Date.now());
    void managers[0]!.refresh(); // Convex now holds a copy of the JWKS it keeps past the switch
    await clock.advance(PROBE_BEFORE);
    await served.rotate();
    for (const manager of managers) void manager.refresh(); // everyone gets a token from the new key at once
  }
  await clock.advance(start + END - Date.now());
  const users = deployment.authenticates.filter((a) => a.tokenType === "User");
  return {
    rejected: users.filter((a) => !a.accepted).map((a) => a.error!),
    signedOut,
    acceptedKids: [...new Set(users.filter((a) => a.accepted).map((a) => decodeProtectedHeader(a.token!).kid!))],
    expiredSent: deployment.expiredTokensSent(),
    whoami: who,
  };
}

describe("key rotation under load, against the local deployment", () => {
  it("the kit: 3 rotations, 0 rejected Authenticate, 0 signed-out clients; a naive rotation: rejections", async () => {
    const clock = useIntegrationClock(Date.UTC(2030, 0, 1));
    cleanups.push(() => clock.restore());
    await expect(
      createIssuer({
        issuer: "https://auth.test",
        applicationID: "convex",
        jwksMaxAgeSec: MAX_AGE_SEC,
        rotationMarginSec: MARGIN_SEC,
        keys: [
          { kid: "k0", privateKey: (await keyForms("ES256")).pem },
          {
            kid: "k1",
            privateKey: (await keyForms("ES256")).pem,
            publishFrom: Date.now() + 30 * S,
            signFrom: Date.now() + 30 * S,
          },
        ],
      }),
      "the kit refuses a naive rotation at start",
    ).rejects.toThrow(/`keys\[1\]\.signFrom` .* is only 0 s after `keys\[1\]\.publishFrom`/);

    const kitStart = Date.now();
    const kit = await scenario(clock, await kitIssuer(kitStart), kitStart);
    expect(kit.rejected).toEqual([]);
    expect(kit.signedOut).toBe(0);
    expect(kit.acceptedKids).toEqual(["k0", "k1", "k2", "k3"]);
    expect(kit.expiredSent).toBe(0);
    expect(kit.whoami).toEqual(["user_0", "user_1", "user_2", "user_3"]);

    const naiveStart = Date.now();
    const naive = await scenario(clock, await naiveIssuer(), naiveStart);
    expect(naive.rejected.length).toBeGreaterThanOrEqual(ROTATIONS.length);
    expect(naive.signedOut).toBeGreaterThan(0);
    expect(naive.rejected[0]).toMatch(
      /^Could not decode token\. The JWT's 'kid' \(key ID\) header is 'key-2-.*', does this/,
    );
    console.info(
      `rotation under load: kit ${kit.rejected.length} rejected, ${kit.signedOut} signed out; naive ` +
        `${naive.rejected.length} rejected, ${naive.signedOut} signed out`,
    );
  }, 60_000);
});
