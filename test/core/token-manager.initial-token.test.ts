/**
 * A manager that starts from a server's token (`initialToken`, `hydrate`): valid → no fetch at start, its
 * refresh planned as usual; expired, for another issuer, malformed or too short to serve → dropped with a
 * warning, and the first use fetches; `null` → signed out with nothing fetched. The token never reaches the
 * snapshot. Pain points guarded: Convex's default start costs two token fetches (convex-js #60), and a
 * signed-out flash before the client authenticates on a server-rendered page (convex-js #98, #69).
 */
import { describe, expect, it } from "vitest";
import type { TokenManagerOptions } from "../../src/index";
import { mintToken, useManagerWorld } from "../support/manager-harness";

const world = useManagerWorld();

function setup(options: Partial<TokenManagerOptions> = {}) {
  const warnings: string[] = [];
  const { manager, script } = world.managed({
    issuer: "https://issuer.test",
    applicationID: "convex",
    logger: { warn: (line) => warnings.push(line) },
    ...options,
  });
  return { manager, script, warnings };
}

describe("initialToken", () => {
  it("valid: starts valid with no fetch, serves it, plans its refresh as usual (one fetch per rotation)", async () => {
    const server = mintToken(900, { iatOffsetSec: -2 }); // rendered 2 s ago
    const { manager, script, warnings } = setup({ initialToken: server });
    const snapshot = manager.getSnapshot();
    expect(snapshot).toMatchObject({ status: "valid", hasToken: true, subject: "user_1" });
    expect(JSON.stringify(snapshot)).not.toContain(server);
    expect(manager.peekToken()).toBe(server);
    expect(await manager.getToken()).toBe(server);
    expect(script.fetcher).not.toHaveBeenCalled();
    expect(snapshot.nextFetchAt! - snapshot.expiresAt!).toBeGreaterThanOrEqual(-90_000);
    expect(snapshot.nextFetchAt! - snapshot.expiresAt!).toBeLessThanOrEqual(-60_000);
    // The planned refresh: one fetch, a new token (1 ms past it: the wall-clock view may round below it).
    await world.clock.advance(snapshot.nextFetchAt! - world.clock.now() + 1);
    await world.clock.flush();
    expect(script.calls.map((c) => c.reason)).toEqual(["scheduled"]);
    expect(await manager.getToken()).toBe(script.issued[0]);
    expect(warnings).toEqual([]);
  });

  it("expired: dropped with WARN_INITIAL_TOKEN_DROPPED; the manager is idle and its first use fetches", async () => {
    const { manager, script, warnings } = setup({ initialToken: mintToken(900, { iatOffsetSec: -1_000 }) });
    expect(manager.getSnapshot()).toMatchObject({ status: "idle", hasToken: false });
    expect(warnings).toEqual([expect.stringMatching(/`initialToken` was dropped \(ERR_TOKEN_EXPIRED\).*expired/)]);
    expect(warnings[0]).toContain("fetches its own token on first use");
    expect(await manager.getToken()).toBe(script.issued[0]);
    expect(script.calls.map((c) => c.reason)).toEqual(["initial"]);
  });

  it("for another issuer or audience: dropped with the claim to fix, then fetched", async () => {
    const foreign = setup({ initialToken: mintToken(900, { claims: { iss: "https://other.test" } }) });
    expect(foreign.warnings).toEqual([expect.stringContaining("(ERR_TOKEN_ISSUER_MISMATCH)")]);
    expect(foreign.warnings[0]).toContain("convex/auth.config.ts");
    expect(foreign.manager.getSnapshot().status).toBe("idle");
    const audience = setup({ initialToken: mintToken(900, { claims: { aud: "other" } }) });
    expect(audience.warnings).toEqual([expect.stringContaining("(ERR_TOKEN_AUDIENCE_MISMATCH)")]);
    await audience.manager.getToken();
    expect(audience.script.fetcher).toHaveBeenCalledTimes(1);
  });

  it("malformed: dropped (ERR_TOKEN_MALFORMED), never echoed whole, then fetched", async () => {
    const { manager, script, warnings } = setup({ initialToken: `Bearer ${mintToken()}` });
    expect(warnings).toEqual([expect.stringContaining("(ERR_TOKEN_MALFORMED)")]);
    expect(warnings[0]).not.toMatch(/eyJ[\w-]{20,}/);
    manager.start();
    await world.clock.flush();
    expect(script.fetcher).toHaveBeenCalledTimes(1);
    expect(manager.getSnapshot().status).toBe("valid");
  });

  it("too short to serve: dropped (ERR_TOKEN_TOO_SHORT_LIVED) before it could reach Convex, then fetched", async () => {
    // 15 minutes minted 14 min 52 s ago: 8 s left, under the 10 s reserve.
    const { manager, script, warnings } = setup({ initialToken: mintToken(900, { iatOffsetSec: -892 }) });
    expect(warnings).toEqual([expect.stringContaining("(ERR_TOKEN_TOO_SHORT_LIVED)")]);
    expect(manager.peekToken()).toBeNull();
    await manager.getToken();
    expect(script.fetcher).toHaveBeenCalledTimes(1);
  });

  it("null: the server knows there is no session: signed out, nothing fetched until start()", async () => {
    const { manager, script } = setup({ initialToken: null });
    expect(manager.getSnapshot()).toMatchObject({ status: "signedOut", hasToken: false });
    expect(await manager.getToken()).toBeNull();
    expect(script.fetcher).not.toHaveBeenCalled();
    manager.start();
    await world.clock.flush();
    expect(script.fetcher).toHaveBeenCalledTimes(1);
  });

  it("refuses an initialToken that is not a string or null, naming the option", () => {
    expect(() => setup({ initialToken: 42 as never })).toThrow(TypeError);
    expect(() => setup({ initialToken: { token: "x" } as never })).toThrow(/`initialToken` must be the server's token/);
  });
});

describe("hydrate", () => {
  it("starts an idle manager from the server's token, with a token event (reason initial)", async () => {
    const { manager, script } = setup();
    const events: unknown[] = [];
    manager.on("token", (event) => events.push(event));
    const server = mintToken();
    manager.hydrate(server);
    expect(manager.getSnapshot().status).toBe("valid");
    expect(events).toEqual([
      expect.objectContaining({ reason: "initial", subject: "user_1", tokenHint: `…${server.slice(-6)}` }),
    ]);
    expect(await manager.getToken()).toBe(server);
    expect(script.fetcher).not.toHaveBeenCalled();
  });

  it("drops a token it cannot use with warning WARN_INITIAL_TOKEN_DROPPED, once; the manager stays idle", () => {
    const { manager, script } = setup();
    const warnings: { code: string; message: string }[] = [];
    manager.on("warning", (warning) => warnings.push(warning));
    const expired = mintToken(900, { iatOffsetSec: -1_000 });
    manager.hydrate(expired);
    manager.hydrate("not-a-jwt");
    expect(warnings).toEqual([
      { code: "WARN_INITIAL_TOKEN_DROPPED", message: expect.stringContaining("ERR_TOKEN_EXPIRED") },
    ]);
    expect(warnings[0]!.message).toContain("The app's server must hand over only a token that can still be served");
    expect(warnings[0]!.message).not.toContain(expired);
    expect(manager.getSnapshot().status).toBe("idle");
    expect(script.fetcher).not.toHaveBeenCalled();
  });

  it("a warning listener that signs out as the server's token is taken keeps it signed out (invariant 3)", async () => {
    const { manager, script } = setup();
    const tokens: unknown[] = [];
    manager.on("token", (event) => tokens.push(event));
    manager.on("warning", () => manager.signOut());
    manager.hydrate(mintToken(900, { claims: { iat: null } })); // usable, with WARN_TOKEN_MISSING_IAT
    expect(manager.getSnapshot()).toMatchObject({ status: "signedOut", hasToken: false });
    expect(tokens).toEqual([]);
    expect(await manager.getToken()).toBeNull();
    expect(script.fetcher).not.toHaveBeenCalled();
  });

  it("a server's token that waited sets no ceiling: a caller asking for more validity gets a fetch", async () => {
    // A 15-minute token rendered 10 minutes ago: 5 minutes left. The issuer mints 15 minutes on request.
    const { manager, script } = setup({ initialToken: mintToken(900, { iatOffsetSec: -600 }) });
    expect(manager.getSnapshot().status).toBe("valid");
    expect(await manager.getToken({ minValidityMs: 8 * 60_000 })).toBe(script.issued[0]);
    expect(script.calls.map((c) => c.reason)).toEqual(["scheduled"]);
  });

  it("a server's token whose iat is ahead of this clock teaches the skew estimate (this clock behind)", () => {
    const { manager } = setup();
    const warnings: string[] = [];
    manager.on("warning", ({ code }) => warnings.push(code));
    manager.hydrate(mintToken(900, { iatOffsetSec: 60 })); // the issuer's clock is 60 s ahead of this one
    expect(manager.getSnapshot()).toMatchObject({ status: "valid", clockSkewMs: -60_000 });
    expect(warnings).toContain("WARN_CLOCK_SKEW");
  });

  it("leaves a running or signed-out manager alone: a stale server token never undoes a sign-out", async () => {
    const { manager, script } = setup();
    const own = await manager.getToken();
    manager.hydrate(mintToken());
    expect(await manager.getToken()).toBe(own);
    manager.signOut();
    manager.hydrate(mintToken());
    expect(manager.getSnapshot().status).toBe("signedOut");
    expect(await manager.getToken()).toBeNull();
    expect(script.fetcher).toHaveBeenCalledTimes(1);
    manager.dispose();
    expect(() => manager.hydrate(null)).toThrow(/disposed/);
  });
});
