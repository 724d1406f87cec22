/**
 * A world for the answer-situation tests: the local stack (issuer, token endpoint, Convex deployment), fake
 * time over real sockets, a real `ConvexClient` connected with `connectConvex`, a token manager whose token
 * endpoint can be taken down in the four ways the tests need, and a record of every time Convex asked the
 * fetcher for a token and what it was answered, and when.
 */
import { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import { connectConvex, type ConnectConvexOptions } from "../../src/convex/index";
import { createTokenManager, httpTokenFetcher, type RetryPolicy, type TokenManager } from "../../src/index";
import type { AuthTokenFetcher } from "../../src/convex/types";
import { startLocalStack, type LocalStack } from "../support/stack";
import { useIntegrationClock, type IntegrationClock } from "../support/time";

export const api = anyApi;

/** How the token endpoint fails during an outage. */
export type Fault = "hang" | "503" | "Retry-After: 86400" | "network error";

/** Every fault the tests cover. */
export const FAULTS: readonly Fault[] = ["hang", "503", "Retry-After: 86400", "network error"];

/** One call Convex made to the fetcher: when (fake ms), whether forced, and the answer (undefined: pending). */
export interface Ask {
  at: number;
  forced: boolean;
  answer?: string | null;
  answeredAt?: number;
}

export interface ConvexWorld {
  stack: LocalStack;
  clock: IntegrationClock;
  manager: TokenManager;
  client: ConvexClient;
  /** Convex's `onChange(isAuthenticated)` calls, in order. */
  authChanges: boolean[];
  /** Every call Convex made to the fetcher, in order. */
  asks: Ask[];
  /** The subject Convex's `auth:whoami` subscription last saw (null: anonymous; undefined: none yet). */
  whoami(): string | null | undefined;
  /** `Authenticate` messages without a token (sign-outs). */
  noneAuthenticates(): number;
  /** Take the token endpoint down in the way `fault` says, until {@link ConvexWorld.endOutage}. */
  startOutage(fault: Fault): void;
  endOutage(): void;
  /** Connect the client (the worlds start unconnected when asked to). */
  connect(options?: ConnectConvexOptions): () => void;
}

/** A switch that takes the stack's token endpoint down in one of the four ways, and a `fetch` that obeys it. */
export interface OutageSwitch {
  /** The `fetch` to give `httpTokenFetcher`: a network error comes from fetch itself. */
  readonly fetch: typeof fetch;
  start(fault: Fault): void;
  end(): void;
}

export function outageSwitch(stack: LocalStack): OutageSwitch {
  let networkDown = false;
  return {
    fetch: (input, init) =>
      networkDown
        ? Promise.reject(new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1") }))
        : fetch(input, init),
    start(fault) {
      switch (fault) {
        case "hang":
          return stack.endpoint.hangNext(1_000_000);
        case "503":
          return stack.endpoint.failNext(1_000_000, 503);
        case "Retry-After: 86400":
          return stack.endpoint.failNext(1_000_000, 503, { retryAfterSec: 86_400 });
        case "network error":
          networkDown = true;
          return;
      }
    },
    end() {
      stack.endpoint.hangNext(0);
      stack.endpoint.failNext(0);
      networkDown = false;
    },
  };
}

/** Seeded numbers in [0, 1) (mulberry32), so the manager's jitter is the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Build a world; `cleanups` gets what undoes it, to run in reverse. */
export async function convexWorld(
  cleanups: (() => unknown)[],
  options: {
    lifetimeSec?: number;
    connect?: boolean;
    fetchTimeoutMs?: number;
    retry?: RetryPolicy;
    seed?: number;
  } = {},
): Promise<ConvexWorld> {
  const clock = useIntegrationClock();
  cleanups.push(() => clock.restore());
  const stack = await startLocalStack({ issuer: { lifetimeSec: options.lifetimeSec ?? 900 } });
  cleanups.push(() => stack.close());

  const outage = outageSwitch(stack);
  const manager = createTokenManager({
    fetchToken: httpTokenFetcher({ url: stack.endpoint.tokenUrl, fetch: outage.fetch }),
    clock: { random: seededRandom(options.seed ?? 14) },
    ...(options.fetchTimeoutMs !== undefined ? { fetchTimeoutMs: options.fetchTimeoutMs } : {}),
    ...(options.retry !== undefined ? { retry: options.retry } : {}),
  });
  cleanups.push(() => manager.dispose());

  const client = new ConvexClient(stack.deployment.url, {
    skipConvexDeploymentUrlCheck: true,
    logger: { logVerbose: () => {}, log: () => {}, warn: () => {}, error: () => {} },
  });
  cleanups.push(() => client.close());
  let who: string | null | undefined;
  client.onUpdate(api.auth!.whoami!, {}, (identity: { subject?: string } | null) => {
    who = identity?.subject ?? null;
  });

  // Record what Convex asks and what it is answered: wrap the fetcher connectConvex hands to setAuth.
  const asks: Ask[] = [];
  const base = client.client;
  const setAuth = base.setAuth.bind(base);
  base.setAuth = (fetchToken: AuthTokenFetcher, ...rest: unknown[]) => {
    const recorded: AuthTokenFetcher = async (args) => {
      const ask: Ask = { at: Date.now(), forced: args.forceRefreshToken };
      asks.push(ask);
      const answer = (await fetchToken(args)) ?? null;
      ask.answer = answer;
      ask.answeredAt = Date.now();
      return answer;
    };
    (setAuth as (...args: unknown[]) => void)(recorded, ...rest);
  };

  const authChanges: boolean[] = [];
  const world: ConvexWorld = {
    stack,
    clock,
    manager,
    client,
    authChanges,
    asks,
    whoami: () => who,
    noneAuthenticates: () => stack.deployment.authenticates.filter((a) => a.tokenType === "None").length,
    startOutage: (fault) => outage.start(fault),
    endOutage: () => outage.end(),
    connect(connectOptions = {}) {
      const disconnect = connectConvex(client, manager, {
        onChange: (value) => authChanges.push(value),
        ...connectOptions,
      });
      cleanups.push(disconnect);
      return disconnect;
    },
  };
  if (options.connect !== false) world.connect();
  return world;
}
