/**
 * A test issuer served over HTTP on 127.0.0.1, with switches for the failures a token fetcher must survive:
 * 5xx (with Retry-After), requests that never answer, and a signed-out user.
 *
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ioActivity, noteIo } from "./io-activity";

/**
 * What the endpoint needs of an issuer. A `TestIssuer` (from `createTestIssuer`) is one; so is any object
 * with these members.
 */
export interface TokenEndpointIssuer {
  /** A freshly signed token for the current {@link TokenEndpointIssuer.subject}. */
  mint(): Promise<string>;
  /** The public keys, served at `/.well-known/jwks.json`. */
  jwks(): { keys: Record<string, unknown>[] };
  /** Who the next token is for; {@link TokenEndpoint.signIn} can switch it. */
  subject: string;
}

/** Options of {@link startTokenEndpoint}. */
export interface TokenEndpointOptions {
  /** `max-age` of the JWKS's `Cache-Control`, in seconds. Default 60. */
  jwksMaxAgeSec?: number;
}

/** A running token endpoint; see {@link startTokenEndpoint}. */
export interface TokenEndpoint {
  /** Base URL, e.g. `http://127.0.0.1:1234`. */
  url: string;
  /** `${url}/token`: GET or POST → 200 `{"token": "..."}` (application/json). */
  tokenUrl: string;
  /** `${url}/.well-known/jwks.json`: 200, `application/json`, `Cache-Control: max-age=<jwksMaxAgeSec>`. */
  jwksUrl: string;
  /** Number of `/token` requests received so far (including failed and hung ones). */
  requests: number;
  /** Number of JWKS requests received so far (handy to observe a verifier's cache). */
  jwksRequests: number;
  /**
   * The next `n` `/token` requests fail with `status` (default 503), optionally with `Retry-After: <retryAfterSec>`.
   */
  failNext(n: number, status?: number, opts?: { retryAfterSec?: number }): void;
  /** The next `n` `/token` requests never answer (until the client aborts or the endpoint closes). */
  hangNext(n: number): void;
  /** Every `/token` request gets 401 until {@link signIn}. */
  signOut(): void;
  /** Undo {@link signOut}; with `subject`, also switch the issuer's subject. */
  signIn(subject?: string): void;
  /** Destroy hung requests and close the server. */
  close(): Promise<void>;
}

/**
 * Serve `issuer` on a random loopback port.
 *
 * Precedence on `/token`: a pending `hangNext` wins, then `failNext`, then the
 * signed-out state, then a freshly minted token. Transient faults come first
 * because a flaky network affects signed-out users too.
 *
 * @example
 * const endpoint = await startTokenEndpoint(issuer, { jwksMaxAgeSec: 5 });
 * endpoint.failNext(2, 503, { retryAfterSec: 1 });
 */
export async function startTokenEndpoint(
  issuer: TokenEndpointIssuer,
  opts: TokenEndpointOptions = {},
): Promise<TokenEndpoint> {
  const jwksMaxAgeSec = opts.jwksMaxAgeSec ?? 60;
  let failures: { remaining: number; status: number; retryAfterSec?: number } = { remaining: 0, status: 503 };
  let hangs = 0;
  let signedOut = false;
  const hung = new Set<ServerResponse>();
  const io = ioActivity();

  const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "Content-Type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };

  const handleToken = async (req: IncomingMessage, res: ServerResponse) => {
    endpoint.requests++;
    if (hangs > 0) {
      hangs--;
      // Not counted as pending I/O: a hung request only ends when the client
      // gives up, which may need fake time to pass.
      hung.add(res);
      res.on("close", () => hung.delete(res));
      return;
    }
    if (failures.remaining > 0) {
      failures.remaining--;
      const headers: Record<string, string> =
        failures.retryAfterSec !== undefined ? { "Retry-After": String(failures.retryAfterSec) } : {};
      const message = "The test token endpoint was told to fail this request (failNext): retry it.";
      return sendJson(res, failures.status, { error: "unavailable", message }, headers);
    }
    if (signedOut) {
      const message = "The user is signed out of the test token endpoint (signOut): sign in again with signIn().";
      return sendJson(res, 401, { error: "signed_out", message });
    }
    // Drain the request body (POST) before answering.
    for await (const _chunk of req);
    sendJson(res, 200, { token: await issuer.mint() });
  };

  const server = createServer((req, res) => {
    noteIo();
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const work = (async () => {
      if (path === "/token" && (req.method === "GET" || req.method === "POST")) return handleToken(req, res);
      if (path === "/.well-known/jwks.json" && req.method === "GET") {
        endpoint.jwksRequests++;
        return sendJson(res, 200, issuer.jwks(), { "Cache-Control": `max-age=${jwksMaxAgeSec}` });
      }
      sendJson(res, 404, {
        error: "not_found",
        message:
          `No ${req.method} ${path} here: the test token endpoint serves GET or POST /token and GET ` +
          "/.well-known/jwks.json.",
      });
    })();
    // Pending until the response is flushed (hung responses resolve `work` at once).
    io.pending++;
    void work
      .catch((err: unknown) => {
        if (!res.headersSent) {
          const message = `The test token endpoint failed to mint a token (${String(err)}): check the issuer's now().`;
          sendJson(res, 500, { error: "internal_error", message });
        }
      })
      .finally(() => {
        io.pending--;
        noteIo();
      });
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const endpoint: TokenEndpoint = {
    url,
    tokenUrl: `${url}/token`,
    jwksUrl: `${url}/.well-known/jwks.json`,
    requests: 0,
    jwksRequests: 0,
    failNext(n, status = 503, o = {}) {
      failures = { remaining: n, status, retryAfterSec: o.retryAfterSec };
    },
    hangNext(n) {
      hangs = n;
    },
    signOut() {
      signedOut = true;
    },
    signIn(subject) {
      signedOut = false;
      if (subject !== undefined) issuer.subject = subject;
    },
    async close() {
      if (!server.listening) return; // idempotent: tests may close early
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
  return endpoint;
}
