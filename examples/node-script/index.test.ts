/** Runs the example script for a simulated hour of 5-minute tokens against the local stack. */
import { afterEach, expect, it } from "vitest";
import { startLocalStack } from "../../test/support/stack";
import { useIntegrationClock } from "../../test/support/time";
import { run } from "./index";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

it("stays authenticated for an hour of 5-minute tokens, then signs out", async () => {
  const clock = useIntegrationClock();
  cleanups.push(() => clock.restore());
  const stack = await startLocalStack({ issuer: { lifetimeSec: 300 } });
  cleanups.push(() => stack.close());
  const lines: string[] = [];
  const done = run({
    convexUrl: stack.deployment.url,
    tokenUrl: stack.endpoint.tokenUrl,
    iterations: 60,
    intervalMs: 60_000,
    clientOptions: { skipConvexDeploymentUrlCheck: true },
    log: (line) => lines.push(line),
  });
  let result: Awaited<typeof done> | undefined;
  void done.then((r) => (result = r));
  await clock.until(() => result !== undefined, { timeoutMs: 70 * 60_000 });
  expect(result!.sent).toBe(60);
  expect(stack.deployment.httpRequests.every((r) => r.status === 200)).toBe(true);
  expect(stack.deployment.expiredTokensSent()).toBe(0);
  // 60 min of 5-min tokens, each refreshed 210–240 s after issue: 15–17 refreshes plus the first fetch.
  expect(stack.endpoint.requests).toBeLessThanOrEqual(18);
  expect(result!.identities[0]).toBe("user_1");
  expect(lines.at(-1)).toBe("sent 60 reports");
}, 60_000);
