/**
 * The manager's public face at its edges, on an injected FakeClock: a timer that has not fired yet (a
 * throttled or frozen tab, a busy event loop), the wall clock set back, the serving limit to the millisecond,
 * repeated sign-out and dispose, `once`, callers asking for exactly the issuer's lifetime, callers arriving
 * while a retry is planned, and `notify()` never throwing.
 *
 * `clock.sleep(ms)` moves both clocks at once and fires the overdue timers only after a macrotask: what a
 * caller does synchronously after calling it sees the time moved but the timer not yet fired.
 */
import { describe, expect, it } from "vitest";
import { InvalidTokenError, TokenManagerDisposedError, type TokenManagerOptions } from "../../src/index";
import { httpError, useManagerWorld } from "../support/manager-harness";

const START = Date.parse("2026-01-01T00:00:00Z");
const world = useManagerWorld({ now: START, random: () => 0.5 });

function setup(options: Partial<TokenManagerOptions> = {}) {
  const { manager, script } = world.managed(options);
  const tokens: { expiresAt: number; refreshAt: number }[] = [];
  const signedOut: unknown[] = [];
  manager.on("token", (event) => tokens.push(event));
  manager.on("signedOut", (event) => signedOut.push(event));
  return { manager, script, tokens, signedOut };
}

describe("a refresh timer that has not fired yet (throttled tab, busy loop)", () => {
  it("getToken() at the refresh point starts the refresh itself, and still serves the valid token", async () => {
    const { manager, script, tokens } = setup();
    const first = await manager.getToken();
    const sleeping = world.clock.sleep(tokens[0]!.refreshAt - world.clock.now());
    expect(await manager.getToken()).toBe(first);
    expect(script.calls.map((call) => call.reason)).toEqual(["initial", "scheduled"]);
    await sleeping;
  });

  it("getToken({ minValidityMs }) does too, and 1 ms before the refresh point fetches nothing", async () => {
    const { manager, script, tokens } = setup();
    const first = await manager.getToken();
    const sleeping = world.clock.sleep(tokens[0]!.refreshAt - world.clock.now() - 1);
    expect(await manager.getToken({ minValidityMs: 1_000 })).toBe(first);
    expect(script.calls).toHaveLength(1);
    await sleeping;
    await world.clock.sleep(1);
    expect(script.calls).toHaveLength(2);
  });

  it("after the wall clock was set back an hour, getToken() past the refresh point still starts it", async () => {
    const { manager, script, tokens } = setup();
    const first = await manager.getToken();
    const untilRefresh = tokens[0]!.refreshAt - world.clock.now();
    world.clock.jump(-3_600_000);
    const sleeping = world.clock.sleep(untilRefresh);
    expect(await manager.getToken()).toBe(first);
    expect(script.calls.map((call) => call.reason)).toEqual(["initial", "scheduled"]);
    await sleeping;
  });

  it("while a failed refresh waits for its retry, callers are served the held token without a new fetch", async () => {
    const { manager, script, tokens } = setup();
    const first = await manager.getToken();
    script.always({ kind: "throw", error: httpError(503) });
    await world.clock.advance(tokens[0]!.refreshAt - world.clock.now());
    expect(manager.getSnapshot().status).toBe("retrying");
    const calls = script.calls.length;
    expect(await manager.getToken({ minValidityMs: 0 })).toBe(first);
    expect(await manager.getToken()).toBe(first);
    expect(script.calls).toHaveLength(calls); // no storm: the planned retry is not brought forward
  });
});

describe("serving limits to the millisecond", () => {
  it("peekToken() serves the held token until, not at, 10 s before its expiry (minValidityMs)", async () => {
    const { manager, script, tokens } = setup();
    const first = await manager.getToken();
    script.always({ kind: "throw", error: httpError(503) });
    const serveUntil = tokens[0]!.expiresAt - 10_000;
    await world.clock.advance(serveUntil - 1 - world.clock.now());
    expect(manager.peekToken()).toBe(first);
    await world.clock.advance(1);
    expect(manager.peekToken()).toBeNull();
  });

  it("a caller asking for exactly the issuer's token lifetime gets a new token, not an error", async () => {
    const { manager } = setup();
    const first = await manager.getToken(); // valid 900 s at receipt: the issuer's ceiling
    await world.clock.advance(1_000);
    const second = await manager.getToken({ minValidityMs: 900_000 });
    expect(second).not.toBe(first);
  });

  it("beyond that lifetime it fails fast, naming the held token by its hint", async () => {
    const { manager } = setup();
    const first = (await manager.getToken())!;
    const error = await manager.getToken({ minValidityMs: 1_000_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(error).toMatchObject({ code: "ERR_TOKEN_TOO_SHORT_LIVED", tokenHint: `…${first.slice(-6)}` });
    expect((error as Error).message).toContain("valid 900 s, less than the 1000 s asked");
  });

  it("it fails fast the same with no token held (a fetch in flight after start())", async () => {
    const { manager, script } = setup();
    await manager.getToken();
    manager.signOut();
    script.next({ kind: "hang" });
    manager.start();
    const error = await manager.getToken({ minValidityMs: 1_000_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect(error).toMatchObject({ code: "ERR_TOKEN_TOO_SHORT_LIVED", tokenHint: "…" }); // it names no token
  });
});

describe("a caller arriving while a retry is planned", () => {
  it("waits for the retry while attempts remain, and gets its token", async () => {
    const { manager, script } = setup();
    script.next({ kind: "throw", error: httpError(503) });
    manager.start();
    await world.clock.flush();
    expect(manager.getSnapshot().status).toBe("retrying");
    const pending = manager.getToken();
    await world.clock.advance(30_000);
    expect(await pending).toBe(script.issued[0]);
  });
});

describe("signOut() and dispose() said twice", () => {
  it("a second signOut() announces nothing (a double-clicked sign-out button)", async () => {
    const { manager, signedOut } = setup();
    await manager.getToken();
    manager.signOut();
    manager.signOut();
    expect(signedOut).toEqual([{ reason: "signOut" }]);
  });

  it("signOut() after dispose() leaves the manager disposed", async () => {
    const { manager, signedOut } = setup();
    await manager.getToken();
    manager.dispose();
    manager.signOut();
    expect(manager.getSnapshot().status).toBe("disposed");
    expect(signedOut).toEqual([]);
    await expect(manager.getToken()).rejects.toBeInstanceOf(TokenManagerDisposedError);
  });

  it("a second dispose() changes no snapshot (a React store sees no change)", async () => {
    const { manager } = setup();
    await manager.getToken();
    manager.dispose();
    const snapshot = manager.getSnapshot();
    let calls = 0;
    manager.subscribe(() => calls++);
    manager.dispose();
    expect(manager.getSnapshot()).toBe(snapshot);
    expect(calls).toBe(0);
  });
});

describe("once()", () => {
  it("hears the next token only", async () => {
    const { manager } = setup();
    const heard: string[] = [];
    manager.once("token", (event) => heard.push(event.reason));
    await manager.getToken();
    await manager.refresh();
    expect(heard).toEqual(["initial"]);
  });
});

describe("notify()", () => {
  it("never throws (browser event handlers call it): a failure inside is logged as a bug to report", async () => {
    let broken = false;
    const clock = {
      now: () => {
        if (broken) throw new Error("the clock broke");
        return world.clock.now();
      },
      monotonicNow: () => world.clock.monotonicNow(),
      setTimeout: world.clock.setTimeout,
      clearTimeout: world.clock.clearTimeout,
      random: () => 0.5,
    };
    const errors: string[] = [];
    const { manager } = setup({ clock, logger: { error: (line) => errors.push(line) } });
    await manager.getToken();
    broken = true;
    expect(() => manager.notify("focus")).not.toThrow();
    broken = false;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('notify("focus") threw: ');
    expect(errors[0]).toContain("the clock broke");
    expect(errors[0]).toContain("The manager carried on; this is a bug in convex-custom-jwt: please report it.");
  });
});
