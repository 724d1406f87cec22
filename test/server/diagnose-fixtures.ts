/**
 * Fixtures of the diagnoseToken tests: an ES256 issuer served on localhost, an RS256 one, and a local
 * deployment with the same provider, so each test can check that diagnoseToken and the deployment (the
 * backend's checks re-implemented) answer the same for a token. Call {@link useDiagnoseFixtures} once per
 * file; the `let` exports are set before the first test.
 */
import { afterAll, beforeAll } from "vitest";
import { BACKEND_MESSAGES, type CustomJwtProvider, type Diagnosis } from "../../src/server";
import {
  createTestIssuer,
  startLocalConvexDeployment,
  type LocalConvexDeployment,
  type ServedTestIssuer,
  type TestIssuer,
} from "../../src/testing";

export const T = Date.UTC(2030, 0, 1);
export const S = T / 1000;

export let issuer: TestIssuer;
export let other: TestIssuer;
export let served: ServedTestIssuer;
export let deployment: LocalConvexDeployment;
export let provider: CustomJwtProvider;

const extraDeployments: LocalConvexDeployment[] = [];

/** Start the issuers and the deployment before the file's tests, and close them (and any extra) after. */
export function useDiagnoseFixtures(): void {
  beforeAll(async () => {
    issuer = await createTestIssuer({ algorithm: "ES256", now: () => T });
    other = await createTestIssuer({ algorithm: "RS256", now: () => T });
    served = await issuer.serve();
    provider = served.provider;
    deployment = await startLocalConvexDeployment({ providers: [provider], now: () => T });
  });
  afterAll(async () => {
    await deployment?.close();
    await served?.close();
    await Promise.all(extraDeployments.splice(0).map((d) => d.close()));
  });
}

/** What the local deployment's HTTP API answers for this bearer token. */
export async function deploymentAnswer(
  d: LocalConvexDeployment,
  token: string,
): Promise<{ code: string; message: string } | "accepted"> {
  const res = await fetch(`${d.url}/api/query`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ path: "auth:whoami", format: "convex_encoded_json", args: [{}] }),
  });
  if (res.status === 200) return "accepted";
  return (await res.json()) as { code: string; message: string };
}

/** Another deployment with these providers, closed after the file's tests. */
export async function withDeployment(providers: CustomJwtProvider[]): Promise<LocalConvexDeployment> {
  const d = await startLocalConvexDeployment({ providers, now: () => T });
  extraDeployments.push(d);
  return d;
}

export const failures = (d: Diagnosis) => d.findings.filter((f) => f.status === "fail");
export const kidMsg = BACKEND_MESSAGES.badKid;
export const noProvider =
  "No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your " +
  "configured providers: [CustomJWT(issuer=https://issuer.test, app_id=convex)]";
