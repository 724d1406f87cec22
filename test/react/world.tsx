/**
 * A React world for the integration tests: the local stack (issuer, token endpoint, Convex deployment),
 * fake time over real sockets, a real `ConvexReactClient`, and a token manager wrapped so the tests can
 * count its live subscriptions.
 */
import { render, type RenderResult } from "@testing-library/react";
import { ConvexReactClient, useConvexAuth, useQuery } from "convex/react";
import { anyApi } from "convex/server";
import type { ReactNode } from "react";
import { expect } from "vitest";
import { WebSocket } from "ws";
import { createTokenManager, httpTokenFetcher, type TokenManager, type TokenSource } from "../../src/index";
import { startLocalStack, type LocalStack } from "../support/stack";
import { useIntegrationClock, type IntegrationClock } from "../support/time";

export const api = anyApi;

/** A TokenSource over a real manager that counts the subscriptions and listeners adapters hold. */
export interface CountingSource extends TokenSource {
  /** `subscribe()` and `on()` registrations not yet undone. */
  live(): number;
}

export function countingSource(manager: TokenManager): CountingSource {
  let live = 0;
  return {
    fetchTimeoutMs: manager.fetchTimeoutMs,
    getToken: (o) => manager.getToken(o),
    peekToken: () => manager.peekToken(),
    getSnapshot: () => manager.getSnapshot(),
    subscribe(listener) {
      live++;
      const off = manager.subscribe(listener);
      let done = false;
      return () => {
        if (!done) {
          done = true;
          live--;
          off();
        }
      };
    },
    on(event, listener) {
      live++;
      return manager.on(event, listener);
    },
    off(event, listener) {
      live--;
      return manager.off(event, listener);
    },
    signOut: () => manager.signOut(),
    notify: (signal) => manager.notify(signal),
    live: () => live,
  };
}

export interface World {
  stack: LocalStack;
  clock: IntegrationClock;
  manager: TokenManager;
  source: CountingSource;
  client: ConvexReactClient;
  logs: string[];
  /** Token requests the endpoint received. */
  fetches(): number;
  /** `Authenticate` messages with a token. */
  userAuthenticates(): number;
  /** `Authenticate` messages without one (sign-outs). */
  noneAuthenticates(): number;
  render(ui: ReactNode): RenderResult;
  close(): Promise<void>;
}

export async function world(options: { lifetimeSec?: number; leewaySeconds?: number } = {}): Promise<World> {
  const clock = useIntegrationClock();
  const stack = await startLocalStack({ issuer: { lifetimeSec: options.lifetimeSec ?? 900 } });
  const manager = createTokenManager({ fetchToken: httpTokenFetcher({ url: stack.endpoint.tokenUrl }) });
  const logs: string[] = [];
  const line = (...args: unknown[]) => logs.push(args.map(String).join(" "));
  const client = new ConvexReactClient(stack.deployment.url, {
    skipConvexDeploymentUrlCheck: true,
    webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
    logger: { logVerbose: () => {}, log: line, warn: line, error: line },
    ...(options.leewaySeconds !== undefined ? { authRefreshTokenLeewaySeconds: options.leewaySeconds } : {}),
  });
  let rendered: RenderResult | undefined;
  const auths = () => stack.deployment.authenticates;
  return {
    stack,
    clock,
    manager,
    source: countingSource(manager),
    client,
    logs,
    fetches: () => stack.endpoint.requests,
    userAuthenticates: () => auths().filter((a) => a.tokenType === "User").length,
    noneAuthenticates: () => auths().filter((a) => a.tokenType === "None").length,
    render(ui) {
      rendered = render(ui);
      return rendered;
    },
    async close() {
      rendered?.unmount();
      await client.close();
      manager.dispose();
      await stack.close();
      clock.restore();
    },
  };
}

/** What the children see: Convex's identity (through a query) and `useConvexAuth()`. */
export function Identity(): ReactNode {
  const identity = useQuery(api.auth!.whoami!, {}) as { subject?: string } | null | undefined;
  const { isLoading, isAuthenticated } = useConvexAuth();
  const who = identity === undefined ? "…" : (identity?.subject ?? "anonymous");
  return (
    <p data-testid="identity">
      {who} {isLoading ? "loading" : isAuthenticated ? "authenticated" : "unauthenticated"}
    </p>
  );
}

/** The identity line's text, or null when it is not rendered. */
export const shown = (r: RenderResult) => r.queryByTestId("identity")?.textContent ?? null;

/** Wait until the user is shown, then check the session started with one fetch and one accepted `Authenticate`. */
export async function expectOneFetchOneAuthenticate(w: World, r: RenderResult): Promise<void> {
  await w.clock.until(() => shown(r) === "user_1 authenticated");
  await w.clock.advance(5_000);
  expect(w.fetches()).toBe(1);
  expect(w.stack.deployment.authenticates.map((a) => [a.tokenType, a.accepted])).toEqual([["User", true]]);
}
