// @vitest-environment jsdom
/**
 * ConvexProviderWithCustomJwt with the REAL ConvexReactClient (1.48.0) against the local deployment, which
 * counts every token fetch and every `Authenticate`. Time is fake; sockets are real (test/support/time.ts).
 */
import { ConvexReactClient, useConvexAuth } from "convex/react";
import { StrictMode, useState } from "react";
import { renderToString } from "react-dom/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createTokenManager, httpTokenFetcher, type TokenSource } from "../../src/index";
import { ConvexProviderWithCustomJwt, type ConvexProviderWithCustomJwtProps } from "../../src/react/index";
import { Identity, shown, world, type World, expectOneFetchOneAuthenticate } from "./world";

const MIN = 60_000;
let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

function App({ w }: { w: World }) {
  return (
    <ConvexProviderWithCustomJwt client={w.client} manager={w.source}>
      <Identity />
    </ConvexProviderWithCustomJwt>
  );
}

describe("ConvexProviderWithCustomJwt", () => {
  it("starts a session with one fetch and one Authenticate; useConvexAuth() and the query see the user", async () => {
    w = await world();
    const r = w.render(<App w={w} />);
    expect(shown(r)).toBe("… loading");
    await expectOneFetchOneAuthenticate(w, r);
  });

  // Pain point: StrictMode's double mount doubles token requests and Authenticate messages (and each
  // Authenticate re-runs every query on the server).
  it("StrictMode's double mount costs no second fetch, no second Authenticate, and leaks no subscription", async () => {
    w = await world();
    const setAuth = vi.spyOn(w.client, "setAuth");
    const r = w.render(
      // At the root: React only double-mounts effects under a StrictMode that wraps the root.
      <StrictMode>
        <App w={w} />
      </StrictMode>,
    );
    await expectOneFetchOneAuthenticate(w, r);
    // The simulated unmount does not even reach the client: one connection, kept across it.
    expect(setAuth).toHaveBeenCalledTimes(1);
    const live = w.source.live();
    expect(live).toBeGreaterThan(0);
    r.unmount();
    await w.clock.advance(1_000);
    expect(w.source.live()).toBe(0);
  });

  // Pain point: a fetcher with a new identity, or a provider that re-runs setAuth on render, re-authenticates
  // the socket on every parent update.
  it(
    "re-renders, parent state changes and an hour of rotations send one Authenticate per rotation and nothing " +
      "else",
    async () => {
      w = await world();
      let bump: () => void = () => {};
      function Parent() {
        const [n, setN] = useState(0);
        bump = () => setN((x) => x + 1);
        return (
          <ConvexProviderWithCustomJwt client={w!.client} manager={w!.source}>
            <span>{n}</span>
            <Identity />
          </ConvexProviderWithCustomJwt>
        );
      }
      const r = w.render(<Parent />);
      await w.clock.until(() => shown(r) === "user_1 authenticated");
      for (let t = 0; t < 60 * MIN; t += 30_000) {
        bump();
        await w.clock.advance(30_000);
        expect(shown(r)).toBe("user_1 authenticated");
      }
      expect(w.fetches()).toBeGreaterThanOrEqual(4); // it did rotate
      expect(w.fetches()).toBeLessThanOrEqual(5);
      expect(w.userAuthenticates()).toBe(w.fetches()); // one Authenticate per rotation
      expect(w.noneAuthenticates()).toBe(0);
      expect(w.stack.deployment.expiredTokensSent()).toBe(0);
      expect(w.stack.deployment.authErrors).toEqual([]);
    },
  );

  it("signs out at once, signs back in with one fetch and one Authenticate, and follows a user switch", async () => {
    w = await world();
    const r = w.render(<App w={w} />);
    await w.clock.until(() => shown(r) === "user_1 authenticated");
    w.manager.signOut();
    await w.clock.until(() => shown(r) === "anonymous unauthenticated");
    expect(w.noneAuthenticates()).toBe(1);
    // Convex's scheduled refetch (15 min − 10 s after confirmation) must not bring the user back.
    await w.clock.advance(20 * MIN);
    expect(shown(r)).toBe("anonymous unauthenticated");
    expect(w.userAuthenticates()).toBe(1);

    const [fetches, users] = [w.fetches(), w.userAuthenticates()];
    w.manager.start();
    await w.clock.until(() => shown(r) === "user_1 authenticated");
    await w.clock.advance(5_000);
    expect([w.fetches() - fetches, w.userAuthenticates() - users]).toEqual([1, 1]);

    w.manager.signOut();
    w.stack.endpoint.signIn("user_2");
    w.manager.start();
    await w.clock.until(() => shown(r) === "user_2 authenticated");
    expect(w.stack.deployment.currentIdentity()).toMatchObject({ subject: "user_2" });
  });

  // Pain point (Convex's own provider): unmounting only calls clearAuth(), and Convex's scheduled refetch
  // signs the client back in a few minutes later.
  it("unmounting leaves the client signed out: Convex's scheduled refetch never signs it back in", async () => {
    w = await world();
    const r = w.render(<App w={w} />);
    await w.clock.until(() => shown(r) === "user_1 authenticated");
    r.unmount();
    await w.clock.until(() => w!.noneAuthenticates() === 1);
    const users = w.userAuthenticates();
    await w.clock.advance(30 * MIN); // two of Convex's refetch periods
    expect(w.userAuthenticates()).toBe(users);
    expect(w.stack.deployment.authenticates.at(-1)?.tokenType).toBe("None");
    expect(w.source.live()).toBe(0);
  });

  it("moves to a new manager when the prop changes: the old connection is undone once, the new one kept", async () => {
    w = await world();
    const client = w.client;
    const Tree = ({ manager }: { manager: TokenSource }) => (
      <ConvexProviderWithCustomJwt client={client} manager={manager}>
        <Identity />
      </ConvexProviderWithCustomJwt>
    );
    const r = w.render(<Tree manager={w.source} />);
    await w.clock.until(() => shown(r) === "user_1 authenticated");
    const first = w.source;
    w.stack.endpoint.signIn("user_3");
    const other = createTokenManager({ fetchToken: httpTokenFetcher({ url: w.stack.endpoint.tokenUrl }) });
    const clearAuth = vi.spyOn(client, "clearAuth");
    try {
      r.rerender(<Tree manager={other} />);
      await w.clock.until(() => shown(r) === "user_3 authenticated");
      await w.clock.advance(5_000);
      expect(first.live()).toBe(0);
      expect(clearAuth).toHaveBeenCalledTimes(1);
      expect(w.stack.deployment.currentIdentity()).toMatchObject({ subject: "user_3" });
      expect(shown(r)).toBe("user_3 authenticated");
    } finally {
      r.unmount();
      other.dispose();
    }
  });
});

/** Every state `useConvexAuth()` rendered under the provider, in order (consecutive repeats kept once). */
function recordedApp(w: World) {
  const seen: string[] = [];
  function Recorder() {
    const { isLoading, isAuthenticated } = useConvexAuth();
    const state = isLoading ? "loading" : isAuthenticated ? "authenticated" : "unauthenticated";
    if (seen.at(-1) !== state) seen.push(state);
    return null;
  }
  const ui = (
    <ConvexProviderWithCustomJwt client={w.client} manager={w.source}>
      <Recorder />
      <Identity />
    </ConvexProviderWithCustomJwt>
  );
  return { ui, seen };
}

// Issue 14; pain point 6 (a transient failure of the token endpoint shown to the user as a sign-out).
describe("ConvexProviderWithCustomJwt while the manager still tries", () => {
  it("useConvexAuth() shows loading, never signed out, through 503s at the start; then the user", async () => {
    w = await world();
    w.stack.endpoint.failNext(3, 503);
    const { ui, seen } = recordedApp(w);
    const r = w.render(ui);
    await w.clock.until(() => shown(r) === "user_1 authenticated", { stepMs: 250 });
    expect(w.fetches()).toBe(4);
    expect(seen).toEqual(["loading", "authenticated"]);
    expect(w.noneAuthenticates()).toBe(0);
  });

  // The regression of issue 14 under the provider: the endpoint hangs once at a scheduled refresh, and the
  // 15-s token expires before the fetch times out (+21 s) and the retry brings the next one.
  it("a hang at a scheduled refresh with 15-s tokens: loading at worst, not signed out; back on retry", async () => {
    w = await world({ lifetimeSec: 15 });
    const { ui, seen } = recordedApp(w);
    const r = w.render(ui);
    await w.clock.until(() => shown(r) === "user_1 authenticated");
    const fetches = w.fetches();
    w.stack.endpoint.hangNext(1);
    await w.clock.until(() => w!.fetches() > fetches + 1, { timeoutMs: 40_000, stepMs: 100 });
    await w.clock.until(() => shown(r) === "user_1 authenticated", { stepMs: 100 });
    await w.clock.advance(10_000, { stepMs: 100 });
    expect(seen).not.toContain("unauthenticated");
    expect(w.noneAuthenticates()).toBe(0);
    expect(w.stack.deployment.expiredTokensSent()).toBe(0);
    expect(shown(r)).toBe("user_1 authenticated");
  });

  it("Retry-After: 86400 at the start: signed out (public queries run), not loading for an hour; then in", async () => {
    w = await world();
    w.stack.endpoint.failNext(1, 503, { retryAfterSec: 86_400 });
    const { ui, seen } = recordedApp(w);
    const r = w.render(ui);
    await w.clock.until(() => shown(r) === "anonymous unauthenticated", { stepMs: 250 });
    expect(w.manager.getSnapshot()).toMatchObject({ status: "retrying", exhausted: true });
    // The manager's next try (Retry-After is capped at an hour) signs the user in.
    await w.clock.until(() => shown(r) === "user_1 authenticated", { timeoutMs: 61 * MIN, stepMs: MIN });
    expect(seen.slice(0, 2)).toEqual(["loading", "unauthenticated"]);
    expect(seen.at(-1)).toBe("authenticated");
    expect(w.fetches()).toBe(2);
  });
});

describe("ConvexProviderWithCustomJwt with bad props", () => {
  // Pain point: a wrong prop used to surface as an error from `connectConvex` or `useConvexCustomJwt`, which
  // the app never called; the provider now names itself and the prop.
  it("throws a TypeError naming the provider and the prop, before it connects anything", async () => {
    const client = new ConvexReactClient("https://happy-otter-123.convex.cloud");
    const manager = createTokenManager({ fetchToken: async () => null });
    vi.spyOn(console, "error").mockImplementation(() => {});
    const render = (props: Partial<ConvexProviderWithCustomJwtProps>) => () =>
      renderToString(<ConvexProviderWithCustomJwt client={client} manager={manager} {...props} />);
    try {
      expect(render({ manager: {} as never })).toThrow(
        /^ConvexProviderWithCustomJwt: `manager` must be a token manager .*; got an object without getToken\(\)/,
      );
      expect(render({ client: {} as never })).toThrow(/^ConvexProviderWithCustomJwt: `client` must be a Convex client/);
      expect(render({ authRefreshTokenLeewaySeconds: -1 })).toThrow(
        /^ConvexProviderWithCustomJwt: `authRefreshTokenLeewaySeconds` must be a number of seconds >= 0.*; got -1\./,
      );
      expect(manager.getSnapshot().status).toBe("idle");
    } finally {
      manager.dispose();
      await client.close();
    }
  });
});
