// @vitest-environment jsdom
/**
 * The server's token in React (`initialToken` on `ConvexProviderWithCustomJwt`, and on the hook): the
 * server's markup is already signed in, hydration renders the same (no warning, never loading or signed
 * out), and the client starts from that token with no fetch and one `Authenticate`. `null` renders signed out
 * and fetches nothing; a token the manager drops is fetched anew after a matching hydration. Pain points
 * guarded: a signed-out or loading flash before the client authenticates, and `preloadQuery` with a token
 * followed by an unauthenticated client (convex-js #98, #69).
 */
import { act } from "@testing-library/react";
import { StrictMode } from "react";
import { hydrateRoot, type Root } from "react-dom/client";
import { renderToString } from "react-dom/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createTokenManager } from "../../src/index";
import { ConvexProviderWithCustomJwt, useConvexCustomJwt } from "../../src/react/index";
import { Identity, world, type World } from "./world";

let w: World | undefined;
let root: Root | undefined;
afterEach(async () => {
  root?.unmount();
  root = undefined;
  await w?.close();
  w = undefined;
});

/** Every text the session line rendered, in order (server, hydration, then the client's own renders). */
let renders: string[] = [];

function Session({ w }: { w: World }) {
  const { isLoading, isAuthenticated, status, subject } = useConvexCustomJwt(w.manager);
  const text = `${isLoading ? "loading" : isAuthenticated ? "signed in" : "signed out"} ${status} ${subject ?? "-"}`;
  renders.push(text);
  return <output>{text}</output>;
}

function App({ w, initialToken }: { w: World; initialToken: string | null | undefined }) {
  return (
    <StrictMode>
      <ConvexProviderWithCustomJwt client={w.client} manager={w.manager} initialToken={initialToken}>
        <Session w={w} />
        <Identity />
      </ConvexProviderWithCustomJwt>
    </StrictMode>
  );
}

/** Render `initialToken` on the "server", then hydrate it in the DOM; returns the server's markup. */
async function serverThenHydrate(w: World, initialToken: string | null | undefined) {
  renders = [];
  const html = renderToString(<App w={w} initialToken={initialToken} />);
  const container = document.createElement("div");
  container.innerHTML = html;
  document.body.append(container);
  const errors = vi.spyOn(console, "error");
  const recoverable: unknown[] = [];
  act(() => {
    root = hydrateRoot(container, <App w={w} initialToken={initialToken} />, {
      onRecoverableError: (e) => recoverable.push(e),
    });
  });
  const text = () => container.textContent ?? "";
  return { html, text, errors, recoverable };
}

describe("ConvexProviderWithCustomJwt initialToken", () => {
  it("is signed in on the server and at hydration, and starts with no fetch and one Authenticate", async () => {
    w = await world();
    const token = await w.stack.issuer.sign();
    const { html, text, errors, recoverable } = await serverThenHydrate(w, token);
    expect(html).toContain("signed in valid user_1");
    expect(html).not.toContain(token); // the markup shows the session, never the token
    await w.clock.until(() => text() === "signed in valid user_1user_1 authenticated");
    await w.clock.advance(5_000);
    expect(renders.every((r) => r === "signed in valid user_1")).toBe(true);
    expect(errors).not.toHaveBeenCalled();
    expect(recoverable).toEqual([]);
    expect(w.fetches()).toBe(0);
    expect(w.stack.deployment.authenticates.map((a) => [a.tokenType, a.accepted, a.token === token])).toEqual([
      ["User", true, true],
    ]);
  });

  it("null: signed out on the server and after hydration, with nothing fetched until start()", async () => {
    w = await world();
    const { html, text, errors, recoverable } = await serverThenHydrate(w, null);
    expect(html).toContain("signed out signedOut -");
    await w.clock.until(() => text() === "signed out signedOut -anonymous unauthenticated");
    await w.clock.advance(5_000);
    expect(renders.every((r) => r === "signed out signedOut -")).toBe(true);
    expect(w.fetches()).toBe(0);
    expect(errors).not.toHaveBeenCalled();
    expect(recoverable).toEqual([]);
    act(() => w!.manager.start());
    await w.clock.until(() => text() === "signed in valid user_1user_1 authenticated");
    expect(w.fetches()).toBe(1);
  });

  it("a server token older than 5 s at hydration: signed in throughout, one fetch for a younger one", async () => {
    // Convex plans its own refetch at confirmation + (exp − iat) − 10 s: it must be handed a young token.
    w = await world();
    const token = await w.stack.issuer.mint({ iat: Math.floor(Date.now() / 1000) - 30 });
    const { text, errors, recoverable } = await serverThenHydrate(w, token);
    await w.clock.until(() => text() === "signed in valid user_1user_1 authenticated");
    await w.clock.advance(5_000);
    // Signed in all along; the status shows the refresh (fetching) while Convex waits for the younger token.
    expect(new Set(renders)).toEqual(new Set(["signed in valid user_1", "signed in fetching user_1"]));
    expect(errors).not.toHaveBeenCalled();
    expect(recoverable).toEqual([]);
    expect(w.fetches()).toBe(1);
    expect(w.stack.deployment.authenticates.map((a) => [a.tokenType, a.accepted, a.token === token])).toEqual([
      ["User", true, false],
    ]);
  });

  it("a token the manager drops (expired): hydration still matches the server, then one fetch signs in", async () => {
    w = await world();
    const now = Math.floor(Date.now() / 1000);
    const expired = await w.stack.issuer.mint({ iat: now - 1_000, exp: now - 100 });
    const { html, text, errors, recoverable } = await serverThenHydrate(w, expired);
    expect(html).toContain("signed in valid user_1");
    await w.clock.until(() => text() === "signed in valid user_1user_1 authenticated");
    await w.clock.advance(5_000);
    expect(errors).not.toHaveBeenCalled();
    expect(recoverable).toEqual([]);
    expect(w.fetches()).toBe(1);
    expect(w.stack.deployment.authenticates.map((a) => [a.tokenType, a.accepted, a.token === expired])).toEqual([
      ["User", true, false],
    ]);
  });
});

describe("useConvexCustomJwt initialToken", () => {
  it("renders the server's token without a provider; undefined is loading; a non-JWT is loading", () => {
    const manager = createTokenManager({ fetchToken: async () => null });
    const token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJib2IiLCJleHAiOjE5MDAwMDAwMDAsImlhdCI6MTg5OTk5OTEwMH0.sig";
    function Show({ initialToken }: { initialToken?: string | null }) {
      const { isLoading, isAuthenticated, subject, expiresAt } = useConvexCustomJwt(manager, { initialToken });
      return <p>{`${isLoading} ${isAuthenticated} ${subject} ${expiresAt}`}</p>;
    }
    expect(renderToString(<Show initialToken={token} />)).toContain("false true bob 1900000000000");
    expect(renderToString(<Show initialToken={null} />)).toContain("false false null null");
    expect(renderToString(<Show />)).toContain("true false null null");
    expect(renderToString(<Show initialToken="not-a-jwt" />)).toContain("true false null null");
    manager.dispose();
  });
});
