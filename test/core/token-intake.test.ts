/**
 * What a fetcher's answer becomes (`src/core/token-intake.ts`), as the app sees it through the manager on an
 * injected FakeClock: a rejected answer leaves no warning behind, a token expiring sooner than the held one is
 * not switched to, the held token handed back by a scheduled refresh is no `WARN_TOKEN_NOT_RENEWED`, and a
 * token arriving too close to its `exp` is refused with both lengths named, and a forward jump of the wall clock
 * is told by the next new token (not by one handed back), one jump after another. Written from the survivors of
 * `npm run mutate` (CONTRIBUTING.md, "Mutation testing").
 */
import { describe, expect, it } from "vitest";
import type { TokenManagerOptions } from "../../src/index";
import type { FetchErrorEvent, WarningEvent } from "../../src/core/events";
import { useMintClock, useManagerWorld } from "../support/manager-harness";

const START = Date.parse("2026-01-01T00:00:00Z");
const world = useManagerWorld({ now: START, random: () => 0.5 });

function setup(options: Partial<TokenManagerOptions> = {}) {
  const { manager, script } = world.managed(options);
  const tokens: { expiresAt: number; refreshAt: number }[] = [];
  const warnings: WarningEvent[] = [];
  const errors: FetchErrorEvent[] = [];
  manager.on("token", (event) => tokens.push(event));
  manager.on("warning", (event) => warnings.push(event));
  manager.on("error", (event) => errors.push(event));
  return { manager, script, tokens, warnings, errors };
}

describe("a fetcher's answer that is no token", () => {
  it("is a failure to retry, and leaves no warning behind", async () => {
    const { manager, script, warnings, errors } = setup();
    script.next({ kind: "raw", value: "not-a-jwt" });
    manager.start();
    await world.clock.advance(0);
    expect(errors).toHaveLength(1);
    expect(warnings).toEqual([]);
  });
});

describe("a refresh's token", () => {
  it("expiring sooner than the held one is not switched to: the held token stays, nothing is announced", async () => {
    const { manager, script, tokens } = setup();
    const first = await manager.getToken();
    script.next({ kind: "token", lifetimeSec: 30 });
    await world.clock.advance(tokens[0]!.refreshAt - world.clock.now());
    expect(script.calls.map((call) => call.reason)).toEqual(["initial", "scheduled"]);
    expect(tokens).toHaveLength(1);
    expect(await manager.getToken()).toBe(first);
  });

  it("that is the held one, handed back by a scheduled refresh, is no WARN_TOKEN_NOT_RENEWED", async () => {
    const { manager, script, tokens, warnings } = setup();
    const first = await manager.getToken();
    script.next({ kind: "raw", value: first });
    await world.clock.advance(tokens[0]!.refreshAt - world.clock.now());
    expect(script.calls.map((call) => call.reason)).toEqual(["initial", "scheduled"]);
    expect(warnings.map((event) => event.code)).not.toContain("WARN_TOKEN_NOT_RENEWED");
  });

  it("that is the held one, handed back by a forced refresh, is WARN_TOKEN_NOT_RENEWED", async () => {
    const { manager, script, warnings } = setup();
    const first = await manager.getToken();
    script.next({ kind: "raw", value: first });
    expect(await manager.getToken({ forceRefresh: true })).toBe(first);
    expect(warnings.map((event) => event.code)).toEqual(["WARN_TOKEN_NOT_RENEWED"]);
  });
});

describe("a token arriving too close to its exp", () => {
  it("is refused with how long it was valid and the margin a served token keeps", async () => {
    // The refresh falls due at the serving limit (20 s before exp) and fails; its retry gets the held token back.
    const { manager, script, tokens, errors } = setup({
      minValidityMs: 20_000,
      refreshLeewayMs: 20_000,
      refreshJitterMs: 0,
    });
    const first = await manager.getToken();
    const arrivedAt: number[] = [];
    manager.on("error", () => arrivedAt.push(world.clock.now()));
    script.next({ kind: "throw", error: Object.assign(new Error("HTTP 503"), { status: 503 }) });
    script.next({ kind: "raw", value: first });
    while (errors.length < 2) await world.clock.advance(100);
    const error = errors[1]!.error as Error & { code: string };
    expect(error.code).toBe("ERR_TOKEN_TOO_SHORT_LIVED");
    const left = (tokens[0]!.expiresAt - arrivedAt[1]!) / 1000;
    expect(left).toBeGreaterThan(10);
    expect(left).toBeLessThan(20);
    expect(error.message).toContain(`arrived valid for ${Math.round(left)} s, less than the 20 s a served token`);
  });
});

describe("the wall clock set forward (an NTP step, a user changing the time): the issuer keeps the true time", () => {
  // Two-hour tokens; the issuer mints on the true (monotonic) time while this device's wall clock jumps.
  function jumpSetup() {
    useMintClock(() => START + world.clock.monotonicNow());
    const { manager, script, tokens, warnings } = setup();
    script.always({ kind: "token", lifetimeSec: 7_200 });
    const skewWarnings = () => warnings.filter((event) => event.code === "WARN_CLOCK_SKEW");
    return { manager, script, tokens, skewWarnings };
  }

  it("a token handed back tells nothing: the next new one tells the jump, and is served its lifetime", async () => {
    const { manager, script, tokens, skewWarnings } = jumpSetup();
    const first = await manager.getToken();
    world.clock.jump(600_000);
    script.next({ kind: "raw", value: first });
    await manager.getToken({ forceRefresh: true });
    expect(manager.getSnapshot().clockSkewMs).toBe(0);
    await manager.getToken({ forceRefresh: true });
    expect(manager.getSnapshot().clockSkewMs).toBe(600_000);
    expect(skewWarnings()).toHaveLength(1);
    expect(tokens.at(-1)!.expiresAt - world.clock.now()).toBe(7_199_000);
  });

  it("a second jump after the first was told is told by the next new token too", async () => {
    const { manager, tokens } = jumpSetup();
    await manager.getToken();
    world.clock.jump(600_000);
    await manager.getToken({ forceRefresh: true });
    expect(manager.getSnapshot().clockSkewMs).toBe(600_000);
    world.clock.jump(600_000);
    await manager.getToken({ forceRefresh: true });
    expect(manager.getSnapshot().clockSkewMs).toBe(1_200_000);
    expect(tokens.at(-1)!.expiresAt - world.clock.now()).toBe(7_199_000);
  });
});
