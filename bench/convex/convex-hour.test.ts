/**
 * One simulated hour with the real convex clients (1.48.0) against the local deployment: 15-minute
 * tokens, a ConvexClient (socket) and a ConvexHttpClient connected, an HTTP query every 10 s.
 * connectConvex is measured against the naive adapter most apps write, in the same run:
 *   socket.setAuth(({ forceRefreshToken }) => fetchFromEndpoint())  +  http.setAuth(await fetchFromEndpoint())
 * Run: npm run bench:convex   (prints a table; asserts nothing but that the runs completed)
 */
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { afterAll, expect, it } from "vitest";
import { connectConvex } from "../../src/convex/index";
import { createTokenManager, httpTokenFetcher } from "../../src/index";
import { startLocalStack } from "../../test/support/stack";
import { useIntegrationClock } from "../../test/support/time";

const HOUR = 60 * 60_000;
const rows: Record<string, unknown>[] = [];

async function hour(adapter: "connectConvex" | "naive") {
  const clock = useIntegrationClock();
  const stack = await startLocalStack({ issuer: { lifetimeSec: 900 } });
  const socket = new ConvexClient(stack.deployment.url, { skipConvexDeploymentUrlCheck: true, logger: false });
  const http = new ConvexHttpClient(stack.deployment.url, { skipConvexDeploymentUrlCheck: true, logger: false });
  socket.onUpdate(anyApi.auth!.whoami!, {}, () => {});
  const fetchFromEndpoint = async () =>
    ((await (await fetch(stack.endpoint.tokenUrl)).json()) as { token: string }).token;
  const manager = createTokenManager({ fetchToken: httpTokenFetcher({ url: stack.endpoint.tokenUrl }) });
  let httpFailures = 0;
  if (adapter === "connectConvex") {
    connectConvex(socket, manager);
    connectConvex(http, manager);
  } else {
    socket.setAuth(async () => fetchFromEndpoint());
    http.setAuth(await fetchFromEndpoint());
  }
  for (let t = 0; t < HOUR; t += 10_000) {
    await clock.advance(10_000);
    await http.query(anyApi.auth!.whoami!, {}).catch(async () => {
      httpFailures += 1;
      if (adapter === "naive") http.setAuth(await fetchFromEndpoint()); // what apps do after a 401
    });
  }
  const d = stack.deployment;
  rows.push({
    adapter,
    "token fetches": stack.endpoint.requests,
    "Authenticate (User)": d.authenticates.filter((a) => a.tokenType === "User").length,
    "expired tokens sent": d.expiredTokensSent(),
    "HTTP 401s": d.httpRequests.filter((r) => r.status === 401).length,
    "failed HTTP queries": httpFailures,
  });
  manager.dispose();
  await socket.close();
  await stack.close();
  clock.restore();
}

it("simulated hour: connectConvex vs a naive adapter", async () => {
  await hour("connectConvex");
  await hour("naive");
  expect(rows).toHaveLength(2);
}, 120_000);

afterAll(() => {
  console.log("\nOne simulated hour, 15-minute tokens, ConvexClient + ConvexHttpClient (query every 10 s):");
  console.table(rows);
});
