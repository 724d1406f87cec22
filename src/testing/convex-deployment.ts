/**
 * A local, protocol-faithful Convex deployment for integration tests.
 *
 * One loopback HTTP server speaks
 *  - the sync WebSocket protocol (`/api/<client version>/sync`) used by
 *    `ConvexClient` / `ConvexReactClient`, and
 *  - the HTTP function API used by `ConvexHttpClient` (`POST /api/query` etc.),
 * and validates JWTs the way the Convex backend does for `type: "customJwt"`
 * providers (get-convex/convex-backend `crates/authentication/src/lib.rs`,
 * `keybroker/src/broker.rs`, `sync/src/{worker,state}.rs`, biscuit's temporal
 * checks), down to the error strings. References to those sources below are
 * to convex-backend @ 94a42c3 and get-convex/biscuit @ 05bdaab.
 *
 * Time comes from `opts.now` (default `Date.now`, looked up at call time) and
 * the 15 s Ping uses the global `setTimeout` at call time, so everything follows
 * vitest's fake timers.
 */
import { createServer } from "node:http";
import type { CustomJwtProvider } from "../server/custom-jwt-provider";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { CustomJwtValidator, JwksFetcher } from "./deployment/custom-jwt-validator";
import { builtinFunctions } from "./deployment/functions";
import { handleHttp, sendJson } from "./deployment/http-api";
import { Session, type Deployment } from "./deployment/sync-session";
import { noteIo, trackIo } from "./io-activity";

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

export type { CustomJwtProvider };

/** A function the deployment can run. `identity` is what `ctx.auth.getUserIdentity()` would return. */
export type FunctionDef = {
  type: "query" | "mutation" | "action";
  handler: (ctx: { identity: Record<string, unknown> | null }, args: any) => unknown;
};

/** One `Authenticate` message received on a socket. */
export interface AuthenticateRecord {
  /** Server clock (ms) at receipt. */
  at: number;
  /** 1-based socket number. */
  connection: number;
  baseVersion: number;
  tokenType: "User" | "None" | "Admin";
  token?: string;
  accepted: boolean;
  /** The backend's error message when rejected. */
  error?: string;
  /** The token's `exp` was <= now (server clock) at receipt. */
  expired: boolean;
}

/** One request to the HTTP function API. */
export interface HttpRecord {
  at: number;
  /** Request path, e.g. `/api/query`. */
  path: string;
  /** Function path from the body, canonicalized (e.g. `auth:whoami`). */
  udfPath: string;
  /** Bearer token, if any. */
  token?: string;
  status: number;
  /** Auth error message, or the function's error message for a 560. */
  error?: string;
  /** The bearer token's `exp` was <= now (server clock) at receipt. */
  expired: boolean;
}

/** One `AuthError` the deployment sent on a socket (each one ends that socket). */
export interface AuthErrorRecord {
  at: number;
  connection: number;
  error: string;
  baseVersion: number;
  authUpdateAttempted: boolean;
}

/** A running deployment; see {@link startLocalConvexDeployment}. */
export interface LocalConvexDeployment {
  /** `http://127.0.0.1:PORT`. Pass `{ skipConvexDeploymentUrlCheck: true }` to the clients. */
  url: string;
  authenticates: AuthenticateRecord[];
  httpRequests: HttpRecord[];
  authErrors: AuthErrorRecord[];
  /** Sockets opened so far. */
  connections: number;
  /** Tokens (socket or HTTP) that were already expired on the server clock when received. */
  expiredTokensSent(): number;
  /** Identity of the latest open socket (or of socket `connection` if it is open), else null. */
  currentIdentity(connection?: number): Record<string, unknown> | null;
  /** Forget cached JWKS responses, as if their max-age had passed. */
  invalidateJwksCache(): void;
  /** Drop every open socket (a network blip): clients reconnect and re-send their token. */
  dropConnections(): void;
  /** Close every socket and the server. */
  close(): Promise<void>;
}

/** Options for {@link startLocalConvexDeployment}. */
export interface LocalConvexDeploymentOptions {
  providers: CustomJwtProvider[];
  /** Extra functions by path (`"module:name"`); they override the built-ins. */
  functions?: Record<string, FunctionDef>;
  /** Server clock in ms. Default `() => Date.now()`, looked up at call time. */
  now?: () => number;
  /** Called once each `Authenticate` is decided (accepted, or rejected with `error`). */
  onAuthenticate?: (record: AuthenticateRecord) => void;
}

// ---------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------

const SYNC_PATH = /^\/api\/[^/]+\/sync$/;

/**
 * Start a local deployment on a random loopback port.
 *
 * Built-in functions (override them via `functions`): query `auth:whoami` →
 * identity or null; query `messages:list`; mutation `messages:send({ body })`
 * appends `{ author: identity?.subject ?? null, body }`; action `auth:echo` →
 * `{ subject }`. Subscribed queries re-run after every accepted `Authenticate`
 * and after every mutation (socket or HTTP).
 *
 * @example
 * const deployment = await startLocalConvexDeployment({
 *   providers: [{ type: "customJwt", issuer: issuer.issuer, jwks: endpoint.jwksUrl,
 *                 applicationID: issuer.applicationID, algorithm: issuer.alg }],
 * });
 * const client = new ConvexClient(deployment.url, { skipConvexDeploymentUrlCheck: true });
 */
export async function startLocalConvexDeployment(opts: LocalConvexDeploymentOptions): Promise<LocalConvexDeployment> {
  const now = opts.now ?? (() => Date.now());
  const messages: { author: string | null; body: string }[] = [];
  const jwks = new JwksFetcher(now);
  const sessions = new Map<number, Session>();
  const httpRequests: HttpRecord[] = [];

  const d: Deployment = {
    now,
    functions: { ...builtinFunctions(messages), ...opts.functions },
    validator: new CustomJwtValidator(opts.providers, jwks),
    authenticates: [],
    authErrors: [],
    onAuthenticate: opts.onAuthenticate,
    // Convex timestamps are ns since the epoch; monotonic across all connections.
    latestTs: 0n,
    nextTs() {
      const wall = BigInt(Math.floor(now())) * 1_000_000n;
      this.latestTs = wall > this.latestTs ? wall : this.latestTs + 1n;
      return this.latestTs;
    },
    dataChanged() {
      for (const s of sessions.values()) if (!s.closed) s.noteDataChanged();
    },
  };

  const server = createServer((req, res) => {
    noteIo();
    void trackIo(
      handleHttp(d, httpRequests, req, res).catch((err: unknown) => {
        console.error("local convex deployment: HTTP handler failed", err);
        if (!res.headersSent) sendJson(res, 500, { code: "InternalServerError", message: String(err) });
      }),
    );
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    noteIo();
    if (!SYNC_PATH.test(new URL(req.url ?? "/", "http://x").pathname)) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const id = ++deployment.connections;
      sessions.set(id, new Session(id, ws, d));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const deployment: LocalConvexDeployment = {
    url: `http://127.0.0.1:${port}`,
    authenticates: d.authenticates,
    httpRequests,
    authErrors: d.authErrors,
    connections: 0,
    expiredTokensSent() {
      return d.authenticates.filter((a) => a.expired).length + httpRequests.filter((r) => r.expired).length;
    },
    currentIdentity(connection) {
      const open = [...sessions.values()].filter((s) => !s.closed);
      const session = connection === undefined ? open.at(-1) : open.find((s) => s.id === connection);
      return session?.identity ? { ...session.identity.attributes } : null;
    },
    invalidateJwksCache() {
      jwks.invalidate();
    },
    dropConnections() {
      for (const s of sessions.values()) if (!s.closed) s.terminate();
    },
    async close() {
      for (const s of sessions.values()) s.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
  return deployment;
}
