/**
 * Server rendering in plain Node (no DOM): importing the React entry and rendering the provider and the
 * hook touch no browser global, and the markup says loading.
 */
import { afterEach, describe, expect, it } from "vitest";

const BROWSER_GLOBALS = [
  "window",
  "document",
  "navigator",
  "localStorage",
  "sessionStorage",
  "location",
  "self",
] as const;
const touched: string[] = [];
const restores: (() => void)[] = [];
afterEach(() => {
  while (restores.length) restores.pop()!();
});

/** Record every read of a browser global (each reads as undefined, as on a server). */
function trapBrowserGlobals() {
  for (const name of BROWSER_GLOBALS) {
    const own = Object.getOwnPropertyDescriptor(globalThis, name);
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get() {
        touched.push(name);
        return undefined;
      },
    });
    restores.push(() => {
      if (own) Object.defineProperty(globalThis, name, own);
      else delete (globalThis as Record<string, unknown>)[name];
    });
  }
}

describe("server rendering", () => {
  it("renders loading with renderToString, touching no browser global from import to markup", async () => {
    trapBrowserGlobals();
    const { createElement: h } = await import("react");
    const { renderToString } = await import("react-dom/server");
    const { ConvexReactClient, useConvexAuth } = await import("convex/react");
    const theirs = touched.length;
    const { ConvexProviderWithCustomJwt, useConvexCustomJwt } = await import("../../src/react/index");
    const { createTokenManager } = await import("../../src/index");
    expect(touched.slice(theirs)).toEqual([]); // importing the React entry and the core read none
    const fetches: string[] = [];
    const manager = createTokenManager({
      fetchToken: async () => {
        fetches.push("fetch");
        return null;
      },
    });
    // The socket client is created on first use: rendering never opens one.
    const client = new ConvexReactClient("https://happy-otter-123.convex.cloud");
    function Status() {
      const { isLoading, isAuthenticated } = useConvexAuth();
      const mine = useConvexCustomJwt(manager);
      return h("p", null, `${isLoading ? "loading" : isAuthenticated ? "in" : "out"} ${mine.status} ${mine.isLoading}`);
    }
    const ours = touched.length;
    const html = renderToString(h(ConvexProviderWithCustomJwt, { client, manager }, h(Status)));
    expect(html).toBe("<p>loading idle true</p>");
    expect(touched.slice(ours)).toEqual([]); // rendering read no browser global
    expect(fetches).toEqual([]); // effects do not run on the server: no fetch either
    await client.close();
    manager.dispose();
  });
});
