// @vitest-environment jsdom
/**
 * The hook as `ConvexProviderWithAuth`'s `useAuth`, with the REAL ConvexReactClient against the local
 * deployment (fake time, real sockets).
 */
import { ConvexProviderWithAuth } from "convex/react";
import { StrictMode } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { useConvexCustomJwt } from "../../src/react/index";
import { Identity, shown, world, type World, expectOneFetchOneAuthenticate } from "./world";

const MIN = 60_000;
let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

function App({ w, leeway }: { w: World; leeway?: number }) {
  const options = leeway === undefined ? {} : { authRefreshTokenLeewaySeconds: leeway };
  return (
    <ConvexProviderWithAuth client={w.client} useAuth={() => useConvexCustomJwt(w.source, options)}>
      <Identity />
    </ConvexProviderWithAuth>
  );
}

/** Run an hour of 15-minute tokens; returns fetches and Authenticates after the first session started. */
async function hour(w: World, r: ReturnType<World["render"]>) {
  await w.clock.until(() => shown(r) === "user_1 authenticated");
  for (let t = 0; t < 60 * MIN; t += 30_000) {
    await w.clock.advance(30_000);
    expect(shown(r)).toBe("user_1 authenticated");
  }
  expect(w.stack.deployment.expiredTokensSent()).toBe(0);
  expect(w.stack.deployment.authErrors).toEqual([]);
  expect(w.noneAuthenticates()).toBe(0);
  return { fetches: w.fetches(), authenticates: w.userAuthenticates() };
}

describe("ConvexProviderWithAuth with useAuth={() => useConvexCustomJwt(manager)}", () => {
  it("starts a session with one fetch and one Authenticate, even under StrictMode", async () => {
    w = await world();
    const r = w.render(
      <StrictMode>
        <App w={w} />
      </StrictMode>,
    );
    await expectOneFetchOneAuthenticate(w, r);
  });

  // Pain point: Convex's refetch schedule and the manager's differ, so a plain fetcher pays two fetches per
  // rotation. With the client's leeway above the manager's, Convex asks first and the hook hands it the
  // manager's own (jittered) rotation: one fetch and one Authenticate per rotation.
  it("rotates for an hour with one fetch per rotation when the client's leeway covers the manager's", async () => {
    w = await world({ leewaySeconds: 100 });
    const r = w.render(<App w={w} leeway={100} />);
    const { fetches, authenticates } = await hour(w, r);
    expect(fetches).toBeGreaterThanOrEqual(4);
    expect(fetches).toBeLessThanOrEqual(5);
    expect(authenticates).toBe(fetches);
  });

  it(
    "with Convex's default leeway it stays signed in, never sends an expired token, and costs at most two fetches " +
      "per rotation",
    async () => {
      w = await world();
      const r = w.render(<App w={w} />);
      const { fetches, authenticates } = await hour(w, r);
      // Convex rotates about every 14m50s: 1 + 4 Authenticates in the hour, each after at most 2 fetches.
      expect(authenticates).toBeLessThanOrEqual(5);
      expect(fetches).toBeLessThanOrEqual(2 * authenticates);
    },
  );

  // Pain point (Convex's own provider): unmounting only calls clearAuth(), and Convex's scheduled refetch
  // signs the client back in.
  it("after an unmount, Convex's scheduled refetch never signs the client back in", async () => {
    w = await world();
    const r = w.render(<App w={w} />);
    await w.clock.until(() => shown(r) === "user_1 authenticated");
    r.unmount();
    await w.clock.until(() => w!.noneAuthenticates() === 1);
    const users = w.userAuthenticates();
    await w.clock.advance(30 * MIN);
    expect(w.userAuthenticates()).toBe(users);
    expect(w.stack.deployment.authenticates.at(-1)?.tokenType).toBe("None");
  });

  it("signs out with the manager, and back in on start()", async () => {
    w = await world();
    const r = w.render(<App w={w} />);
    await w.clock.until(() => shown(r) === "user_1 authenticated");
    w.manager.signOut();
    await w.clock.until(() => shown(r) === "anonymous unauthenticated");
    await w.clock.advance(20 * MIN);
    expect(shown(r)).toBe("anonymous unauthenticated");
    w.stack.endpoint.signIn("user_2");
    w.manager.start();
    await w.clock.until(() => shown(r) === "user_2 authenticated");
  });
});
