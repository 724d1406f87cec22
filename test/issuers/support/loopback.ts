/**
 * A loopback HTTP server in front of a real issuer's request handler (Better Auth, oidc-provider), for the
 * real-issuer tests: it counts requests per path, can answer chosen paths with a failure (an outage in front
 * of the real server), and reports its I/O to `ioActivity` so the fake-time helper (`useIntegrationClock`)
 * waits for the real server's answers before moving time on.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { noteIo, trackIo } from "../../../src/testing/io-activity";

export type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

/**
 * `useIntegrationClock`'s `maxSettleWallMs` for the real-issuer tests: the real servers answer with real CPU
 * work (RS256 and ES256 signing, database calls), which can take over the default 250 ms of real time on a
 * loaded machine; fake time must not move on (and fire the manager's or Convex's timeouts) while they do.
 */
export const REAL_SERVER_SETTLE_MS = 5_000;

export interface LoopbackServer {
  /** `http://127.0.0.1:PORT`, known before the issuer is configured (it needs its own URL). */
  origin: string;
  /** Serve requests with this handler (set once the issuer is built). */
  setHandler(handler: Handler): void;
  /** Requests received so far, by path (without the query string). */
  requests(path: string): number;
  /** Answer `path` with this status (and a JSON error body) instead of the issuer; `null` heals it. */
  fail(path: string, status: number | null, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

export async function startLoopbackServer(): Promise<LoopbackServer> {
  let handler: Handler | undefined;
  const counts = new Map<string, number>();
  const failures = new Map<string, { status: number; headers: Record<string, string> }>();
  const server = createServer((req, res) => {
    noteIo();
    // Every answer closes its connection. A kept-alive socket opened in real time (the sign-up before a test
    // installs its fake clock) would carry undici's real timers into fake time, where the fake clearTimeout
    // cannot clear them: they then fire on a collected parser (an uncaught TypeError inside undici).
    res.shouldKeepAlive = false;
    const path = new URL(req.url ?? "/", "http://x").pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const finished = new Promise<void>((resolve) => res.once("close", resolve));
    void trackIo(finished);
    const failure = failures.get(path);
    if (failure) {
      res.writeHead(failure.status, { "content-type": "application/json", ...failure.headers });
      res.end(JSON.stringify({ error: "temporarily_unavailable", message: "injected outage" }));
      return;
    }
    if (!handler) {
      res.writeHead(503).end();
      return;
    }
    void handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    setHandler(next) {
      handler = next;
    },
    requests: (path) => counts.get(path) ?? 0,
    fail(path, status, headers = {}) {
      if (status === null) failures.delete(path);
      else failures.set(path, { status, headers });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
