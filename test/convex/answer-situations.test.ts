/**
 * How `connectConvex` answers Convex in each of the three situations in which Convex asks for a token (its
 * start, a scheduled refetch, after a server rejection), end to end: the real `ConvexClient`, the local
 * deployment, fake time. Issue 14; peer pain point 6 (a transient failure treated as a sign-out).
 */
import { describe, expect, it } from "vitest";
import { useCleanups } from "../support/cleanups";
import { convexWorld } from "./convex-world";

const cleanups = useCleanups();

describe("the regression of issue 14: a hung endpoint at a scheduled refresh", () => {
  // 15-second tokens, default options: Convex's scheduled refetch (+5 s) comes before the manager's rotation
  // (+11 s), which hangs. Before the fix, the fetcher answered null 10 s after Convex asked (+15.5 s), once the
  // held token had expired: Convex cleared auth (Authenticate None) and told the app `onChange(false)`; the
  // retry brought the user back at +21.6 s.
  it("never signs the user out: no onChange(false), no Authenticate None, recovery on the retry", async () => {
    const w = await convexWorld(cleanups, { lifetimeSec: 15 });
    await w.clock.until(() => w.whoami() === "user_1");
    const fetches = w.stack.endpoint.requests;
    w.stack.endpoint.hangNext(1);
    await w.clock.until(() => w.stack.endpoint.requests > fetches + 1, { timeoutMs: 40_000, stepMs: 100 });
    await w.clock.until(() => w.stack.deployment.authenticates.at(-1)?.accepted === true, { stepMs: 100 });
    await w.clock.advance(10_000, { stepMs: 100 });
    expect(w.authChanges).not.toContain(false);
    expect(w.noneAuthenticates()).toBe(0);
    expect(w.asks.filter((ask) => ask.forced && ask.answer === null)).toEqual([]);
    expect(w.stack.deployment.authenticates.filter((a) => a.tokenType === "User").map((a) => a.accepted)).toEqual([
      true,
      true,
    ]);
    expect(w.stack.deployment.expiredTokensSent()).toBe(0);
    expect(w.whoami()).toBe("user_1");
  });
});
