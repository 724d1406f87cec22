// @vitest-environment jsdom
/**
 * Hydration: markup rendered on the server hydrates with `hydrateRoot` without a warning (the hook's
 * server snapshot is what hydration renders first), then the client takes over and signs in through the
 * real ConvexReactClient and the local deployment.
 */
import { act } from "@testing-library/react";
import { StrictMode } from "react";
import { hydrateRoot, type Root } from "react-dom/client";
import { renderToString } from "react-dom/server";
import { afterEach, expect, it, vi } from "vitest";
import { ConvexProviderWithCustomJwt, useConvexCustomJwt } from "../../src/react/index";
import { Identity, world, type World } from "./world";

let w: World | undefined;
let root: Root | undefined;
afterEach(async () => {
  root?.unmount();
  await w?.close();
  w = undefined;
});

function Token({ w }: { w: World }) {
  const { status, subject } = useConvexCustomJwt(w.source);
  return <output>{`${status} ${subject ?? "-"}`}</output>;
}

function App({ w }: { w: World }) {
  return (
    <StrictMode>
      <ConvexProviderWithCustomJwt client={w.client} manager={w.source}>
        <Token w={w} />
        <Identity />
      </ConvexProviderWithCustomJwt>
    </StrictMode>
  );
}

it("hydrates the server's markup with no warning, then signs in with one fetch and one Authenticate", async () => {
  w = await world();
  const html = renderToString(<App w={w} />);
  expect(html).toContain("idle -");
  expect(html).toContain("loading</p>");
  const container = document.createElement("div");
  container.innerHTML = html;
  document.body.append(container);

  // The client already holds a token when it hydrates (an app may start the manager at import): hydration
  // must still render what the server did.
  let ready = false;
  void w.manager.getToken().then(() => (ready = true));
  await w.clock.until(() => ready);

  const errors = vi.spyOn(console, "error");
  const recoverable: unknown[] = [];
  act(() => {
    root = hydrateRoot(container, <App w={w!} />, { onRecoverableError: (e) => recoverable.push(e) });
  });
  const text = () => container.textContent ?? "";
  await w.clock.until(() => text() === "valid user_1user_1 authenticated");
  await w.clock.advance(5_000);
  expect(errors).not.toHaveBeenCalled();
  expect(recoverable).toEqual([]);
  expect(w.fetches()).toBe(1);
  expect(w.userAuthenticates()).toBe(1);
});
