/**
 * The connection object on its own, with hand-written clients and a fake token source: its open/closed
 * state, what closing undoes (once), and the registry that keeps one connection per client. The real
 * clients are exercised against the local deployment in connect-convex*.test.ts.
 *
 * Pain points guarded: a stale `disconnect()` (React runs effect cleanups late and twice) must never sign a
 * live client out (the regression of the size pass, fixed in eb9c8f5: a connection could close twice); a
 * different user's token must never stay on a client handed to a new manager.
 */
import { describe, expect, it, vi } from "vitest";
import { connectConvex } from "../../src/convex/connect-convex";
import { HttpConnection } from "../../src/convex/http-connection";
import { fakeTokenSource } from "./fake-token-source";

/** A socket client (BaseConvexClient's shape) that records its calls; `setAuth` throws once it is closed. */
function socketClient() {
  const calls: string[] = [];
  const client = {
    closed: false,
    fetchers: [] as ((args: { forceRefreshToken: boolean }) => Promise<string | null | undefined>)[],
    setAuth(fetcher: (args: { forceRefreshToken: boolean }) => Promise<string | null | undefined>) {
      if (client.closed) throw new Error("ConvexClient has already been closed.");
      calls.push("setAuth");
      client.fetchers.push(fetcher);
    },
    clearAuth() {
      calls.push("clearAuth");
    },
  };
  return { client, calls };
}

/** A ConvexHttpClient's shape: request methods on the prototype, one (`action`) as an own property. */
class FakeHttpClient {
  auth: string | undefined;
  readonly calls: string[] = [];
  action = async () => this.auth;
  backendUrl() {
    return "https://happy-otter-123.convex.cloud";
  }
  setAuth(token: string) {
    this.calls.push("setAuth");
    this.auth = token;
  }
  clearAuth() {
    this.calls.push("clearAuth");
    this.auth = undefined;
  }
  async query() {
    return this.auth;
  }
  async mutation() {
    return this.auth;
  }
}

describe("a socket connection", () => {
  it("opens with setAuth; disconnect() signs the client out once and leaves a fetcher that answers null", async () => {
    const source = fakeTokenSource();
    const { client, calls } = socketClient();
    const disconnect = connectConvex(client, source);
    expect(calls).toEqual(["setAuth"]);
    expect(source.live()).toBe(2); // "token" and "signedOut"
    disconnect();
    disconnect();
    expect(calls).toEqual(["setAuth", "clearAuth", "setAuth"]);
    expect(source.live()).toBe(0);
    source.hold("A", { issuedAt: Date.now() });
    await expect(client.fetchers.at(-1)!({ forceRefreshToken: true })).resolves.toBeNull();
  });

  it("replaced by a connection to the same manager keeps the client's auth; to another, clears it", () => {
    const a = fakeTokenSource();
    const b = fakeTokenSource();
    const { client, calls } = socketClient();
    connectConvex(client, a);
    connectConvex(client, a);
    expect(calls).toEqual(["setAuth", "setAuth"]);
    connectConvex(client, b);
    expect(calls).toEqual(["setAuth", "setAuth", "clearAuth", "setAuth"]);
    expect(a.live()).toBe(0);
    expect(b.live()).toBe(2);
  });

  it("a stale disconnect() after a reconnect that threw signs the client out no second time", () => {
    const source = fakeTokenSource();
    const { client, calls } = socketClient();
    const first = connectConvex(client, source);
    client.closed = true; // the app closed the client; a reconnect's setAuth now throws
    expect(() => connectConvex(client, source)).toThrow(/already been closed/);
    expect(source.live()).toBe(0); // the failed reconnect left no listener of its own
    calls.length = 0;
    first(); // the old connection is still the registered one, but it is closed already
    expect(calls).toEqual([]);
  });

  it("pushes each new token of the manager with setAuth, and signs out with clearAuth then setAuth", async () => {
    const source = fakeTokenSource();
    const { client, calls } = socketClient();
    connectConvex(client, source);
    source.hold("A", { issuedAt: Date.now() });
    source.emit("token");
    expect(calls).toEqual(["setAuth", "setAuth"]);
    await client.fetchers.at(-1)!({ forceRefreshToken: true }); // Convex takes "A"
    source.emit("token"); // the client already holds the manager's token: nothing to push
    expect(calls).toEqual(["setAuth", "setAuth"]);
    source.emit("signedOut");
    expect(calls).toEqual(["setAuth", "setAuth", "clearAuth", "setAuth"]);
  });
});

describe("an HTTP connection", () => {
  it("wraps the request methods, and closing restores exactly what it replaced, once", async () => {
    const source = fakeTokenSource();
    source.hold("A");
    const client = new FakeHttpClient();
    const own = client.action;
    const disconnect = connectConvex(client, source);
    expect(Object.hasOwn(client, "query")).toBe(true);
    await expect(client.query()).resolves.toBe("A");
    disconnect();
    expect(Object.hasOwn(client, "query")).toBe(false); // the prototype's method again
    expect(client.action).toBe(own); // the own property put back
    expect(client.calls).toEqual(["setAuth", "clearAuth"]);
    disconnect();
    expect(client.calls).toEqual(["setAuth", "clearAuth"]);
    expect(source.live()).toBe(0);
  });

  it("leaves a method someone else replaced since alone", () => {
    const client = new FakeHttpClient();
    const disconnect = connectConvex(client, fakeTokenSource());
    const theirs = vi.fn();
    (client as unknown as { mutation: unknown }).mutation = theirs;
    disconnect();
    expect(client.mutation).toBe(theirs);
  });

  it("a request that started before close() puts no token back on the client", async () => {
    const source = fakeTokenSource();
    let release: (token: string) => void = () => {};
    source.answer = () => new Promise((resolve) => (release = resolve));
    const client = new FakeHttpClient();
    const connection = new HttpConnection(client, source);
    const request = client.query();
    connection.close();
    expect(connection.state).toBe("closed");
    release("A");
    await request;
    expect(client.auth).toBeUndefined();
    expect(client.calls).toEqual(["clearAuth"]);
  });

  it("answers an auth rejection with one forced refresh and one retry, and no more", async () => {
    const source = fakeTokenSource();
    source.hold("A");
    const client = new FakeHttpClient();
    let rejections = 2;
    client.query = async () => {
      if (rejections-- > 0) throw new Error('{"code":"InvalidAuthHeader","message":"Could not verify token"}');
      return client.auth;
    };
    connectConvex(client, source);
    await expect(client.query()).rejects.toThrow(/InvalidAuthHeader/);
    expect(source.getTokenCalls).toEqual([undefined, { forceRefresh: true }]);
    await expect(client.query()).resolves.toBe("A");
  });
});
