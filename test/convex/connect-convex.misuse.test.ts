/**
 * connectConvex under misuse, against the real convex clients and the local deployment: wrong arguments,
 * one client connected twice, late and repeated `disconnect()` calls (React runs effect cleanups late and
 * twice). Each case once signed users out or sent the wrong user's token (issue 7; peer pain point 6,
 * "a transient failure is treated as sign-out", and get-convex/convex-js#184 for tokens put back).
 */
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { ConvexReactClient } from "convex/react";
import { anyApi } from "convex/server";
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { connectConvex } from "../../src/convex/index";
import { createTokenManager, httpTokenFetcher, type TokenManager } from "../../src/index";
import { startLocalStack, type LocalStack } from "../support/stack";
import { useCleanups } from "../support/cleanups";
import { useIntegrationClock, type IntegrationClock } from "../support/time";
import { quietLogger } from "./quiet-logger";

const api = anyApi;
const cleanups = useCleanups();

interface World {
  stack: LocalStack;
  clock: IntegrationClock;
  manager: TokenManager;
  socket: ConvexClient;
  whoami: () => string | null | undefined;
  managerFor: (subject: string) => TokenManager;
  http: () => ConvexHttpClient;
}

async function world(): Promise<World> {
  const clock = useIntegrationClock();
  cleanups.push(() => clock.restore());
  const stack = await startLocalStack();
  cleanups.push(() => stack.close());
  const managerFor = (subject: string) => {
    const m = createTokenManager({ fetchToken: async () => stack.issuer.mint({ sub: subject }) });
    cleanups.push(() => m.dispose());
    return m;
  };
  const manager = createTokenManager({ fetchToken: httpTokenFetcher({ url: stack.endpoint.tokenUrl }) });
  cleanups.push(() => manager.dispose());
  const socket = new ConvexClient(stack.deployment.url, { skipConvexDeploymentUrlCheck: true, logger: quietLogger });
  cleanups.push(() => socket.close());
  let who: string | null | undefined;
  socket.onUpdate(api.auth!.whoami!, {}, (identity: { subject?: string } | null) => {
    who = identity?.subject ?? null;
  });
  const http = () =>
    new ConvexHttpClient(stack.deployment.url, { skipConvexDeploymentUrlCheck: true, logger: quietLogger });
  return { stack, clock, manager, socket, whoami: () => who, managerFor, http };
}

function subjectOf(token: string | undefined): string | undefined {
  return token
    ? (JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()) as { sub?: string }).sub
    : undefined;
}

/** A token source that counts its listeners, to see what a failed call leaves behind. */
function countingSource(manager: TokenManager) {
  let listeners = 0;
  const source = Object.assign(Object.create(manager) as TokenManager, {
    on: (event: never, fn: never) => ((listeners += 1), manager.on(event, fn)),
    off: (event: never, fn: never) => ((listeners -= 1), manager.off(event, fn)),
  });
  return { source, listeners: () => listeners };
}

describe("connectConvex with something that is not a Convex client", () => {
  const notClients: [string, unknown][] = [
    ["{}", {}],
    ["null", null],
    ["42", 42],
    ["undefined", undefined],
    ["a string", "https://happy-otter-123.convex.cloud"],
    ["an object with only setAuth", { setAuth() {} }],
  ];
  for (const [name, value] of notClients) {
    it(`throws a TypeError naming the accepted clients for ${name}, and registers nothing`, () => {
      const manager = createTokenManager({ fetchToken: async () => null });
      cleanups.push(() => manager.dispose());
      const counted = countingSource(manager);
      const call = () => connectConvex(value as never, counted.source);
      expect(call).toThrow(TypeError);
      expect(call).toThrow(/ConvexClient.*ConvexReactClient.*ConvexHttpClient/);
      expect(counted.listeners()).toBe(0);
    });
  }

  it("throws a TypeError naming `manager` when the manager is not a token source, and touches no client", async () => {
    const w = await world();
    for (const bad of [undefined, null, {}, { getToken() {} }]) {
      expect(() => connectConvex(w.socket, bad as never)).toThrow(/`manager` must be a token manager/);
    }
    expect(() => connectConvex(w.socket, w.manager, { onChange: 1 as never })).toThrow(/`onChange`/);
    await w.clock.advance(5_000);
    expect(w.stack.deployment.authenticates).toEqual([]);
  });

  it("leaves no listener behind: a later correct connection gets rotations and the sign-out", async () => {
    const w = await world();
    for (const bad of [{}, null, 42]) expect(() => connectConvex(bad as never, w.manager)).toThrow(TypeError);
    cleanups.push(connectConvex(w.socket, w.manager));
    await w.clock.until(() => w.whoami() === "user_1");
    const users = w.stack.deployment.authenticates.filter((a) => a.tokenType === "User").length;
    await w.manager.refresh();
    await w.clock.until(() => w.stack.deployment.authenticates.filter((a) => a.tokenType === "User").length > users);
    w.manager.signOut();
    await w.clock.until(() => w.whoami() === null);
    expect(w.stack.deployment.authenticates.at(-1)?.tokenType).toBe("None");
  });
});

describe("one connection per client: a new connection replaces the old one", () => {
  it("a stale disconnect() after a reconnect (React cleanups) leaves the new connection live", async () => {
    const w = await world();
    const first = connectConvex(w.socket, w.manager);
    const second = connectConvex(w.socket, w.manager);
    cleanups.push(second);
    await w.clock.until(() => w.whoami() === "user_1");
    first();
    first(); // idempotent
    await w.clock.advance(30_000);
    expect(w.whoami()).toBe("user_1");
    expect(w.stack.deployment.authenticates.map((a) => a.tokenType)).not.toContain("None");
    // Still pushed rotations, still signed out with the manager.
    const fetches = w.stack.endpoint.requests;
    await w.manager.refresh();
    await w.clock.until(
      () => w.stack.deployment.authenticates.at(-1)?.accepted === true && w.stack.endpoint.requests > fetches,
    );
    w.manager.signOut();
    await w.clock.until(() => w.whoami() === null);
  });

  it("with manager A then B on one client, a rotation of A never puts user A back", async () => {
    const w = await world();
    const a = w.managerFor("user_a");
    const b = w.managerFor("user_b");
    connectConvex(w.socket, a);
    await w.clock.until(() => w.whoami() === "user_a");
    cleanups.push(connectConvex(w.socket, b));
    await w.clock.until(() => w.whoami() === "user_b");
    await a.refresh();
    await w.clock.advance(30 * 60_000);
    expect(w.whoami()).toBe("user_b");
    const subjects = w.stack.deployment.authenticates
      .filter((x) => x.tokenType === "User")
      .map((x) => subjectOf(x.token));
    expect(subjects.slice(subjects.indexOf("user_b"))).not.toContain("user_a");
    // A's sign-out does not reach the client either.
    a.signOut();
    await w.clock.advance(5_000);
    expect(w.whoami()).toBe("user_b");
  });

  it("disconnect() is idempotent and undoes only its own connection; the last one signs the client out", async () => {
    const w = await world();
    const first = connectConvex(w.socket, w.manager);
    await w.clock.until(() => w.whoami() === "user_1");
    first();
    await w.clock.until(() => w.whoami() === null);
    const second = connectConvex(w.socket, w.manager);
    await w.clock.until(() => w.whoami() === "user_1");
    first(); // late, after the reconnect: does nothing
    await w.clock.advance(10_000);
    expect(w.whoami()).toBe("user_1");
    second();
    second();
    await w.clock.until(() => w.whoami() === null);
    await w.clock.advance(30 * 60_000);
    expect(w.whoami()).toBeNull();
  });

  it("ConvexReactClient connected twice then disconnected by the stale cleanup stays authenticated", async () => {
    const w = await world();
    const client = new ConvexReactClient(w.stack.deployment.url, {
      skipConvexDeploymentUrlCheck: true,
      webSocketConstructor: WebSocket as never,
      logger: quietLogger,
    });
    cleanups.push(() => client.close());
    const watch = client.watchQuery(api.auth!.whoami!, {});
    let who: unknown;
    cleanups.push(
      watch.onUpdate(() => (who = (watch.localQueryResult() as { subject?: string } | null)?.subject ?? null)),
    );
    const stale = connectConvex(client, w.manager);
    cleanups.push(connectConvex(client, w.manager));
    stale();
    await w.clock.until(() => who === "user_1");
    await w.clock.advance(20 * 60_000);
    expect(who).toBe("user_1");
  });

  it(
    "ConvexHttpClient connected twice and disconnected " + "twice is restored and sends no token after a rotation",
    async () => {
      const w = await world();
      const client = w.http();
      const first = connectConvex(client, w.manager);
      const second = connectConvex(client, w.manager);
      await expect(client.query(api.auth!.whoami!, {})).resolves.toMatchObject({ subject: "user_1" });
      second();
      first();
      second();
      for (const name of ["query", "mutation", "action"]) expect(Object.hasOwn(client, name)).toBe(false);
      await w.manager.refresh();
      await expect(client.query(api.auth!.whoami!, {})).resolves.toBeNull();
      expect(w.stack.deployment.httpRequests.at(-1)?.token).toBeUndefined();
    },
  );

  it("ConvexHttpClient with manager A then B sends B's tokens only", async () => {
    const w = await world();
    const client = w.http();
    connectConvex(client, w.managerFor("user_a"));
    await expect(client.query(api.auth!.whoami!, {})).resolves.toMatchObject({ subject: "user_a" });
    cleanups.push(connectConvex(client, w.managerFor("user_b")));
    await expect(client.query(api.auth!.whoami!, {})).resolves.toMatchObject({ subject: "user_b" });
  });

  it("a ConvexClient created disabled is left alone", () => {
    const client = new ConvexClient("https://happy-otter-123.convex.cloud", { disabled: true });
    const manager = createTokenManager({ fetchToken: async () => null });
    cleanups.push(() => manager.dispose());
    const disconnect = connectConvex(client, manager);
    expect(() => disconnect()).not.toThrow();
  });
});
