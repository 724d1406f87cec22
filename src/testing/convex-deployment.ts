/**
 * A local, protocol-faithful Convex deployment for integration tests: the server and the wiring of its parts
 * (`deployment/*`; their shared types are in `deployment/types.ts`).
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
 * fake timers installed as the globals (the project's integration clock installs
 * a FakeClock; vitest's fake timers work too).
 *
 * @internal
 * @module
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { CustomJwtValidator } from "./deployment/custom-jwt-validator";
import { builtinFunctions } from "./deployment/functions";
import { handleHttp, sendJson } from "./deployment/http-api";
import { JwksFetcher } from "./deployment/jwks-fetcher";
import { Session } from "./deployment/sync-session";
import type { Deployment, HttpRecord, LocalConvexDeployment, LocalConvexDeploymentOptions } from "./deployment/types";
import { noteIo, trackIo } from "./io-activity";

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
        console.error(
          "convex-custom-jwt/testing: the local Convex deployment answered 500 to an HTTP request because its " +
            "handler threw (a bug in the testing kit: please report it with this error):",
          err,
        );
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
