/**
 * A caller without a valid token and a retry that falls due soon (issue 14): the caller waits for a retry due
 * within `retry.maxDelayMs` or one `fetchTimeoutMs`, whichever is longer, and gets the error at once when the
 * next try is further away (a long `Retry-After`: seconds, never hours). The `error` event's `exhausted` says
 * the same at the time of the failure. Pain point: a server's short `Retry-After` turned into a sign-out
 * (peer-token-managers: Convex treats a fetcher's rejection as "stopped"; get-convex/convex-auth#363).
 */
import { describe, expect, it } from "vitest";
import { TokenEndpointError, type TokenManagerOptions } from "../../src/index";
import { useManagerWorld } from "../support/manager-harness";

const S = 1_000;
const world = useManagerWorld({ random: () => 0.5 });

/** A manager whose first fetch is answered 429 with `Retry-After: retryAfterMs`; the next ones get tokens. */
function rateLimited(retryAfterMs: number, options: Partial<TokenManagerOptions> = {}) {
  const { manager, script } = world.managed(options);
  const error = new TokenEndpointError(429, "slow down", { retryable: true, retryAfterMs });
  script.next({ kind: "throw", error });
  const errors: { exhausted: boolean; retryAt: number }[] = [];
  manager.on("error", (event) => errors.push(event));
  /** The caller's outcome: the token, or the error's code; "pending" while it waits. */
  const outcome = (promise: Promise<string | null>) => {
    let result: string = "pending";
    promise.then(
      (token) => (result = token ?? "null"),
      (e: { code?: string }) => (result = e.code ?? String(e)),
    );
    return () => result;
  };
  return { manager, script, errors, outcome };
}

describe("a caller's wait for a retry", () => {
  it("429 with Retry-After: 1 and retry.maxDelayMs: 100: the caller waits 1 s and gets the token", async () => {
    const { manager, script, errors, outcome } = rateLimited(S, { retry: { baseDelayMs: 50, maxDelayMs: 100 } });
    const caller = outcome(manager.getToken());
    await world.clock.advance(10);
    expect(caller()).toBe("pending"); // before: ERR_TOKEN_FETCH_FAILED after 1 ms
    expect(errors).toMatchObject([{ exhausted: false }]);
    await world.clock.advance(S);
    expect(caller()).toBe(script.issued[0]);
    expect(script.calls.map((c) => c.reason)).toEqual(["initial", "retry"]);
  });

  it("a retry due beyond one fetchTimeoutMs (and retry.maxDelayMs): the caller fails fast, in no time", async () => {
    const { manager, errors, outcome } = rateLimited(S, {
      fetchTimeoutMs: 300,
      retry: { baseDelayMs: 50, maxDelayMs: 100 },
    });
    const caller = outcome(manager.getToken());
    await world.clock.advance(0);
    expect(caller()).toBe("ERR_TOKEN_FETCH_FAILED");
    expect(errors).toMatchObject([{ exhausted: true }]);
  });

  it("Retry-After: 86400: the caller's error comes at once, whatever retry.maxDelayMs is", async () => {
    const { manager, errors, outcome } = rateLimited(86_400 * S, { retry: { maxDelayMs: 20 * 60 * S } });
    const caller = outcome(manager.getToken());
    await world.clock.advance(0);
    expect(caller()).toBe("ERR_TOKEN_FETCH_FAILED");
    expect(errors).toMatchObject([{ exhausted: true }]);
  });

  it("a caller asking once the retry falls due within one fetchTimeoutMs waits for it", async () => {
    const { manager, script, outcome } = rateLimited(60 * S, { retry: { maxDelayMs: 5 * S } });
    const early = outcome(manager.getToken());
    await world.clock.advance(0);
    expect(early()).toBe("ERR_TOKEN_FETCH_FAILED"); // 60 s away: beyond 10 s (fetchTimeoutMs)
    await world.clock.advance(45 * S);
    const late = outcome(manager.getToken()); // 15 s away: still beyond
    await world.clock.advance(0);
    expect(late()).toBe("ERR_TOKEN_FETCH_FAILED");
    await world.clock.advance(7 * S);
    const soon = outcome(manager.getToken()); // 8 s away: within one fetchTimeoutMs (10 s)
    await world.clock.advance(7 * S);
    expect(soon()).toBe("pending");
    await world.clock.advance(S);
    expect(soon()).toBe(script.issued[0]);
    expect(script.fetcher).toHaveBeenCalledTimes(2);
  });

  it("the snapshot's nextFetchAt and exhausted are the error event's retryAt and exhausted", async () => {
    for (const [retryAfterMs, exhausted] of [
      [S, false],
      [60 * S, true],
      [86_400 * S, true],
    ] as const) {
      const { manager, errors } = rateLimited(retryAfterMs, { retry: { baseDelayMs: 50, maxDelayMs: 100 } });
      void manager.getToken().catch(() => undefined);
      await world.clock.advance(0);
      expect(errors).toMatchObject([{ exhausted }]);
      const snapshot = manager.getSnapshot();
      expect(snapshot).toMatchObject({ status: "retrying", nextFetchAt: errors[0]!.retryAt, exhausted });
      // Retry-After counts for 1 h at most.
      expect(errors[0]!.retryAt).toBe(world.clock.now() + Math.min(retryAfterMs, 3_600 * S));
    }
  });
});
