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
import { compactVerify, importJWK } from "jose";
import { convexToJson, jsonToConvex, type JSONValue, type Value } from "convex/values";
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import {
  BACKEND_MESSAGES,
  REGISTERED_CLAIMS,
  SIGNATURE_ALGS,
  audiences,
  decodeDataUrl as decodeJwksDataUrl,
  decodeSegment,
  isJwksContentType,
  isObject,
  noProviderMessage,
  normalizeProviderIssuer,
  parseJwks,
  parsePayload,
  present,
  providerMatches,
  sameIssuer,
  signatureFailureMessage,
  temporalFailure,
  tokenIssuerWithProtocol,
} from "../server/backend-rules";
import { noteIo, trackIo } from "./io-activity";

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

import type { CustomJwtProvider } from "../server/custom-jwt-provider";

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
// customJwt validation (crates/authentication/src/lib.rs `validate_id_token`)
// ---------------------------------------------------------------------------

/** An `ErrorMetadata::unauthenticated(code, message)` from the backend. */
class AuthFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface Identity {
  attributes: Record<string, unknown>;
  /** `exp` in ms: the session identity expires here, with no leeway. */
  expMs: number;
}

const MSG = BACKEND_MESSAGES;

type Claims = Record<string, unknown>;

/** Unverified payload, typed like biscuit's `RegisteredClaims` (wrong types = unparseable). */
function unverifiedPayload(token: string): Claims {
  const payload = parsePayload(token);
  if (!payload) throw new AuthFailure("InvalidAuthHeader", MSG.unparseable);
  return payload;
}

/** `extract_custom_jwt_claims`: nested objects become dotted keys, other values keep their JSON type. */
function flattenClaims(obj: Record<string, unknown>, prefix = "", out: Claims = {}): Claims {
  for (const [key, value] of Object.entries(obj)) {
    if (isObject(value)) flattenClaims(value, `${prefix}${key}.`, out);
    else out[`${prefix}${key}`] = value;
  }
  return out;
}

/** The token's `exp` claim in ms, if it is readable (for the `expired` bookkeeping only). */
function peekExpMs(token: string | undefined): number | undefined {
  try {
    const exp = (decodeSegment(token?.split(".")[1]) as Claims).exp;
    return typeof exp === "number" ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

interface CachedResponse {
  status: number;
  contentType: string | null;
  body: string;
  expiresAt: number;
}

/** JWKS fetching with an HTTP cache that follows Cache-Control (crates/http_client: http-cache `CacheMode::Default`, shared). */
class JwksFetcher {
  private cache = new Map<string, CachedResponse>();
  constructor(private now: () => number) {}

  invalidate() {
    this.cache.clear();
  }

  /** `fetch_jwks`: the body of a 200 JSON response, or the backend's error. */
  async fetch(uri: string): Promise<string> {
    if (uri.startsWith("data:")) {
      try {
        return decodeJwksDataUrl(uri);
      } catch (err) {
        throw new AuthFailure("InvalidAuthHeader", (err as Error).message);
      }
    }
    let res = this.cache.get(uri);
    if (!res || this.now() >= res.expiresAt) {
      res = await this.fetchFresh(uri);
    }
    if (res.status !== 200) {
      const reason = STATUS_CODES[res.status] ?? "Unknown";
      throw new AuthFailure("InvalidAuthHeader", MSG.jwksHttp(uri, res.status, reason));
    }
    if (!isJwksContentType(res.contentType)) {
      throw new AuthFailure("InvalidAuthHeader", MSG.jwksContentType(res.contentType ?? "unknown", uri));
    }
    return res.body;
  }

  private async fetchFresh(uri: string): Promise<CachedResponse> {
    let response: Response;
    let body: string;
    try {
      response = await fetch(uri, { headers: { Accept: "application/json" } });
      body = await response.text();
    } catch {
      // reqwest's Display for a connection failure.
      throw new AuthFailure("InvalidAuthHeader", MSG.jwksNetwork(uri, safeHref(uri)));
    }
    const freshMs = freshnessMs(response.headers.get("cache-control"), response.status);
    const res: CachedResponse = {
      status: response.status,
      contentType: response.headers.get("content-type"),
      body,
      expiresAt: this.now() + freshMs,
    };
    if (freshMs > 0) this.cache.set(uri, res);
    else this.cache.delete(uri);
    return res;
  }
}

/** Explicit freshness of a response for a shared cache, in ms (0 = don't reuse). */
function freshnessMs(cacheControl: string | null, status: number): number {
  if (!cacheControl || ![200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501].includes(status)) return 0;
  const directives = new Map(
    cacheControl.split(",").map((d) => {
      const [k = "", v] = d.trim().split("=");
      return [k.toLowerCase(), v?.replace(/^"|"$/g, "")] as const;
    }),
  );
  if (directives.has("no-store") || directives.has("no-cache") || directives.has("private")) return 0;
  const seconds = Number(directives.get("s-maxage") ?? directives.get("max-age"));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

function safeHref(uri: string): string {
  try {
    return new URL(uri).href;
  } catch {
    return uri;
  }
}

/** The `AuthInfo::CustomJwt` branch of `validate_id_token`, in the backend's order. */
class CustomJwtValidator {
  private keys = new Map<string, Promise<CryptoKey | Uint8Array>>();
  constructor(
    private providers: CustomJwtProvider[],
    private jwks: JwksFetcher,
  ) {}

  async validate(token: string, nowMs: number): Promise<Identity> {
    // 1. Route on the unverified iss/aud.
    const payload = unverifiedPayload(token);
    if (!present(payload.iss)) throw new AuthFailure("InvalidAuthHeader", MSG.missingIss);
    const iss = payload.iss as string;
    const auds = audiences(payload.aud);
    const provider = this.providers.find((p) => providerMatches(p, iss, auds));
    if (!provider) throw new AuthFailure("NoAuthProvider", noProviderMessage(this.providers));

    // 2. JWKS.
    const body = await this.jwks.fetch(provider.jwks);
    const jwkSet = parseJwks(body);
    if (!jwkSet) throw new AuthFailure("InvalidAuthHeader", MSG.jwksBody(provider.jwks));

    // 3. Signature (biscuit `decode_with_jwks`). Every failure becomes the kid message.
    if (!(await this.verifySignature(token, jwkSet, provider.algorithm))) {
      throw new AuthFailure("InvalidAuthHeader", signatureFailureMessage(token));
    }

    // 4. Re-check iss and aud. Routing already guarantees both; kept for fidelity.
    const providerIssuer = normalizeProviderIssuer(provider.issuer);
    if (!sameIssuer(tokenIssuerWithProtocol(iss), providerIssuer)) {
      throw new AuthFailure("InvalidAuthHeader", MSG.invalidIssuer(iss, providerIssuer));
    }
    if (provider.applicationID !== undefined) {
      if (!present(payload.aud)) throw new AuthFailure("InvalidAuthHeader", MSG.missingAud);
      if (!auds.includes(provider.applicationID)) {
        throw new AuthFailure("InvalidAuthHeader", MSG.invalidAudience(provider.applicationID, auds));
      }
    }

    // 5. Time, with biscuit's 5 s epsilon on whole seconds (`as_secs()`).
    const exp = payload.exp as number | undefined | null;
    const temporal = temporalFailure(payload, nowMs);
    if (temporal) throw new AuthFailure("InvalidAuthHeader", temporal.message);

    // 6. `UserIdentity::from_custom_jwt`: sub, iss, exp are required. Its own
    // "Missing subject"/"Missing expiry" are hidden behind this context message.
    if (!present(payload.sub) || !present(exp)) throw new AuthFailure("InvalidAuthHeader", MSG.badClaims);
    const custom = flattenClaims(Object.fromEntries(Object.entries(payload).filter(([k]) => !REGISTERED_CLAIMS.has(k))));
    delete custom.fva; // changes on every refresh; dropped so it doesn't bust the query cache
    const sub = payload.sub as string;
    return {
      attributes: { ...custom, tokenIdentifier: `${iss}|${sub}`, subject: sub, issuer: iss },
      expMs: exp! * 1000,
    };
  }

  private async verifySignature(token: string, jwkSet: Record<string, unknown>[], algorithm: string): Promise<boolean> {
    const parts = token.split(".");
    if (parts.length !== 3) return false;
    let header: unknown;
    try {
      header = decodeSegment(parts[0]);
    } catch {
      return false;
    }
    if (!isObject(header) || typeof header.alg !== "string" || !SIGNATURE_ALGS.has(header.alg)) return false;
    if (typeof header.kid !== "string") return false; // KidMissing
    const jwk = jwkSet.find((k) => k.kid === header.kid);
    if (!jwk) return false; // KeyNotFound
    // WrongAlgorithmHeader / UnsupportedKeyAlgorithm: header alg == configured alg == JWK alg (if any).
    if (jwk.alg !== undefined && jwk.alg !== null && jwk.alg !== header.alg) return false;
    if (header.alg !== algorithm) return false;
    try {
      await compactVerify(token, await this.importKey(jwk, algorithm), { algorithms: [algorithm] });
      return true;
    } catch {
      return false;
    }
  }

  private importKey(jwk: Record<string, unknown>, alg: string): Promise<CryptoKey | Uint8Array> {
    // Only the public parameters: `alg`/`use`/`key_ops` were checked above and
    // must not make jose stricter than biscuit.
    const params = Object.fromEntries(
      Object.entries(jwk).filter(([k, v]) => ["kty", "n", "e", "crv", "x", "y"].includes(k) && v !== undefined),
    );
    const cacheKey = JSON.stringify({ params, alg });
    let key = this.keys.get(cacheKey);
    if (!key) {
      key = importJWK(params as Parameters<typeof importJWK>[0], alg);
      key.catch(() => this.keys.delete(cacheKey));
      this.keys.set(cacheKey, key);
    }
    return key;
  }
}

// ---------------------------------------------------------------------------
// Functions
// ---------------------------------------------------------------------------

/** Client-side `canonicalizeUdfPath`: `mod.js:fn` → `mod:fn`, `mod` → `mod:default`. */
function canonicalUdfPath(path: string): string {
  const i = path.lastIndexOf(":");
  let [mod, fn] = i < 0 ? [path, "default"] : [path.slice(0, i), path.slice(i + 1)];
  if (mod.endsWith(".js")) mod = mod.slice(0, -3);
  return `${mod}:${fn}`;
}

function builtinFunctions(messages: { author: string | null; body: string }[]): Record<string, FunctionDef> {
  return {
    "auth:whoami": { type: "query", handler: ({ identity }) => identity },
    "messages:list": { type: "query", handler: () => messages.map((m) => ({ ...m })) },
    "messages:send": {
      type: "mutation",
      handler: ({ identity }, { body }: { body: string }) => {
        messages.push({ author: (identity?.subject as string | undefined) ?? null, body });
        return null;
      },
    },
    "auth:echo": { type: "action", handler: ({ identity }) => ({ subject: identity?.subject ?? null }) },
  };
}

type UdfResult = { ok: true; value: JSONValue } | { ok: false; message: string; errorData?: JSONValue };

const capitalize = (s: string) => s[0]!.toUpperCase() + s.slice(1);

async function runFunction(
  functions: Record<string, FunctionDef>,
  udfPath: string,
  expected: FunctionDef["type"] | "any",
  identity: Identity | null,
  encodedArgs: unknown,
): Promise<UdfResult> {
  const fn = functions[udfPath];
  if (!fn) return { ok: false, message: `Could not find public function for '${udfPath}'.` };
  if (expected !== "any" && fn.type !== expected) {
    const [mod, name] = udfPath.split(":");
    return {
      ok: false,
      message: `Trying to execute ${mod}.js:${name} as ${capitalize(expected)}, but it is defined as ${capitalize(fn.type)}.`,
    };
  }
  try {
    const args = jsonToConvex((encodedArgs ?? {}) as JSONValue);
    const value = await fn.handler({ identity: identity ? { ...identity.attributes } : null }, args);
    return { ok: true, value: convexToJson((value ?? null) as Value) };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const data = (e as { data?: unknown }).data;
    return {
      ok: false,
      message: `Uncaught ${e.name}: ${e.message}`,
      ...(data !== undefined ? { errorData: convexToJson(data as Value) } : {}),
    };
  }
}

// ---------------------------------------------------------------------------
// Sync protocol: one Session per socket (crates/sync/src/worker.rs)
// ---------------------------------------------------------------------------

/** u64 as base64 of its 8 little-endian bytes. */
function encodeU64(n: bigint): string {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b.toString("base64");
}
function decodeU64(s: string): bigint {
  return Buffer.from(s, "base64").readBigUInt64LE();
}

type ServerMessage = Record<string, unknown> & { type: string };

/** Ends a session: an optional last message, then a close (no code = the client sees 1005). */
class SessionEnd extends Error {
  constructor(
    readonly finalMessage?: ServerMessage,
    readonly closeCode?: number,
    readonly closeReason?: string,
  ) {
    super("session end");
  }
}
const internalError = () => new SessionEnd(undefined, 1011, "InternalServerError");

const PING_INTERVAL_MS = 15_000; // HEARTBEAT_INTERVAL

interface SubscribedQuery {
  udfPath: string;
  args: unknown;
  lastJson?: string;
}

interface Deployment {
  now: () => number;
  functions: Record<string, FunctionDef>;
  validator: CustomJwtValidator;
  authenticates: AuthenticateRecord[];
  authErrors: AuthErrorRecord[];
  onAuthenticate?: (record: AuthenticateRecord) => void;
  latestTs: bigint;
  nextTs(): bigint;
  dataChanged(): void;
}

class Session {
  /** Last version sent in a Transition. */
  private sent = { querySet: 0, identity: 0, ts: 0n };
  /** Versions the client's messages have moved us to (sent with the next Transition). */
  private received = { querySet: 0, identity: 0 };
  identity: Identity | null = null;
  private queries = new Map<number, SubscribedQuery>();
  private added = new Set<number>();
  private removed = new Set<number>();
  private updateScheduled = false;
  private dataChanged = false;
  private inbox: Record<string, any>[] = [];
  private draining = false;
  private clientClockSkew: number | undefined;
  private pingTimer: ReturnType<typeof setTimeout> | undefined;
  closed = false;

  constructor(
    readonly id: number,
    private ws: WebSocket,
    private d: Deployment,
  ) {
    this.resetPing();
    ws.on("message", (raw) => {
      noteIo();
      try {
        this.inbox.push(JSON.parse(String(raw)));
      } catch {
        return this.end(internalError());
      }
      this.kick();
    });
    ws.on("close", () => {
      noteIo();
      this.closed = true;
      clearTimeout(this.pingTimer);
    });
  }

  /** Another connection (or HTTP) wrote data: re-run this socket's queries. */
  noteDataChanged() {
    this.dataChanged = true;
    this.updateScheduled = true;
    this.kick();
  }

  /** Process queued messages one at a time (the real worker awaits each one too). */
  kick() {
    if (this.draining || this.closed) return;
    this.draining = true;
    void trackIo(this.drain());
  }

  private async drain() {
    try {
      while (!this.closed) {
        const message = this.inbox.shift();
        if (message) await this.handle(message);
        else if (this.updateScheduled) await this.flush();
        else break;
      }
    } catch (err) {
      this.end(err);
    } finally {
      this.draining = false;
    }
  }

  private async handle(m: Record<string, any>) {
    switch (m.type) {
      case "Connect":
        if (typeof m.clientTs === "number") this.clientClockSkew = m.clientTs - this.d.now();
        // The backend refuses clients that saw a newer ts than it knows (linearizability).
        if (typeof m.maxObservedTimestamp === "string" && decodeU64(m.maxObservedTimestamp) > this.d.latestTs) {
          throw internalError();
        }
        return;
      case "Authenticate":
        return this.authenticate(m);
      case "ModifyQuerySet":
        if (m.baseVersion !== this.received.querySet) throw internalError();
        for (const mod of m.modifications as Record<string, any>[]) {
          if (mod.type === "Add") {
            this.queries.set(mod.queryId, { udfPath: canonicalUdfPath(mod.udfPath), args: mod.args?.[0] });
            this.added.add(mod.queryId);
            this.removed.delete(mod.queryId);
          } else if (mod.type === "Remove") {
            this.queries.delete(mod.queryId);
            this.added.delete(mod.queryId);
            this.removed.add(mod.queryId);
          }
        }
        this.received.querySet = m.newVersion;
        this.updateScheduled = true;
        return;
      case "Mutation":
      case "Action":
        return this.runRequest(m);
      case "Event":
        return; // client telemetry
      default:
        throw internalError();
    }
  }

  private async authenticate(m: Record<string, any>) {
    const record: AuthenticateRecord = {
      at: this.d.now(),
      connection: this.id,
      baseVersion: m.baseVersion,
      tokenType: m.tokenType,
      ...(m.value !== undefined ? { token: m.value } : {}),
      accepted: false,
      expired: m.tokenType === "User" && (peekExpMs(m.value) ?? Infinity) <= this.d.now(),
    };
    this.d.authenticates.push(record);
    let identity: Identity | null = null;
    try {
      if (m.tokenType === "User") identity = await this.d.validator.validate(String(m.value), this.d.now());
      else if (m.tokenType === "Admin") {
        // No admin keys exist here (application_auth.rs `check_key`).
        throw new AuthFailure("BadAdminKey", "The provided admin key was invalid for this instance");
      }
    } catch (err) {
      if (!(err instanceof AuthFailure)) throw err;
      // On the socket every auth rejection becomes AuthUpdateFailed, which ends the session.
      record.error = err.message;
      this.d.onAuthenticate?.(record);
      throw this.authError(err.message, true);
    }
    if (m.baseVersion !== this.received.identity) {
      record.error = `baseVersion ${m.baseVersion} != identity version ${this.received.identity}`;
      throw internalError();
    }
    record.accepted = true;
    this.d.onAuthenticate?.(record);
    this.identity = identity;
    this.received.identity++;
    this.updateScheduled = true; // every query re-runs under the new identity
  }

  private async runRequest(m: Record<string, any>) {
    this.revalidateIdentity();
    const kind = m.type === "Mutation" ? "mutation" : "action";
    const result = await runFunction(this.d.functions, canonicalUdfPath(String(m.udfPath)), kind, this.identity, m.args?.[0]);
    const base = { requestId: m.requestId, logLines: [] };
    if (kind === "mutation") {
      if (result.ok) {
        // MutationResponse carries the commit ts; the Transition that follows reaches it.
        const ts = this.d.nextTs();
        this.send({ type: "MutationResponse", ...base, success: true, result: result.value, ts: encodeU64(ts) });
        this.d.dataChanged();
      } else {
        this.send({ type: "MutationResponse", ...base, success: false, result: result.message, ...errorData(result) });
      }
    } else {
      this.send(
        result.ok
          ? { type: "ActionResponse", ...base, success: true, result: result.value }
          : { type: "ActionResponse", ...base, success: false, result: result.message, ...errorData(result) },
      );
    }
    this.updateScheduled = true;
  }

  /** `SyncState::identity`: a user identity past its `exp` (no leeway) ends the session. */
  private revalidateIdentity() {
    if (this.identity && this.d.now() >= this.identity.expMs) throw this.authError(MSG.expired, false);
  }

  /** Send one Transition covering everything since the last one (worker `begin_update_queries`). */
  private async flush() {
    this.updateScheduled = false;
    this.revalidateIdentity();
    const identityChanged = this.received.identity > this.sent.identity;
    const rerunAll = identityChanged || this.dataChanged;
    const modifications: ServerMessage[] = [...this.removed].map((queryId) => ({ type: "QueryRemoved", queryId }));
    for (const [queryId, q] of this.queries) {
      const mustSend = identityChanged || this.added.has(queryId);
      if (!mustSend && !rerunAll) continue;
      const result = await runFunction(this.d.functions, q.udfPath, "query", this.identity, q.args);
      const json = JSON.stringify(result);
      if (!mustSend && json === q.lastJson) continue; // unchanged result: nothing to send
      q.lastJson = json;
      modifications.push(
        result.ok
          ? { type: "QueryUpdated", queryId, value: result.value, logLines: [], journal: null }
          : { type: "QueryFailed", queryId, errorMessage: result.message, logLines: [], journal: null, ...errorData(result) },
      );
    }
    this.added.clear();
    this.removed.clear();
    this.dataChanged = false;
    if (this.closed) return;
    const end = { querySet: this.received.querySet, identity: this.received.identity, ts: this.d.nextTs() };
    const version = (v: typeof end) => ({ querySet: v.querySet, identity: v.identity, ts: encodeU64(v.ts) });
    this.send({
      type: "Transition",
      startVersion: version(this.sent),
      endVersion: version(end),
      modifications,
      ...(this.clientClockSkew !== undefined ? { clientClockSkew: this.clientClockSkew } : {}),
      serverTs: this.d.now() * 1e6,
    });
    this.sent = end;
  }

  private authError(error: string, authUpdateAttempted: boolean): SessionEnd {
    // baseVersion is the last *transitioned* identity version (subs/mod.rs).
    const message = { type: "AuthError", error, baseVersion: this.sent.identity, authUpdateAttempted };
    this.d.authErrors.push({ at: this.d.now(), connection: this.id, error, baseVersion: this.sent.identity, authUpdateAttempted });
    return new SessionEnd(message);
  }

  private send(message: ServerMessage) {
    if (this.closed) return;
    this.ws.send(JSON.stringify(message));
    noteIo();
    this.resetPing();
  }

  /** The server pings after 15 s without sending anything else. */
  private resetPing() {
    clearTimeout(this.pingTimer);
    if (this.closed) return;
    this.pingTimer = setTimeout(() => this.send({ type: "Ping" }), PING_INTERVAL_MS);
    this.pingTimer.unref?.();
  }

  end(err: unknown) {
    if (this.closed) return;
    const e = err instanceof SessionEnd ? err : internalError();
    if (!(err instanceof SessionEnd)) console.error("local convex deployment: internal error", err);
    if (e.finalMessage) this.send(e.finalMessage);
    this.closed = true;
    clearTimeout(this.pingTimer);
    if (e.closeCode !== undefined) this.ws.close(e.closeCode, e.closeReason);
    else this.ws.close(); // no status code: the client sees 1005 and treats it as a normal drop
  }

  terminate() {
    this.closed = true;
    clearTimeout(this.pingTimer);
    this.ws.terminate();
  }
}

const errorData = (r: UdfResult) => (!r.ok && r.errorData !== undefined ? { errorData: r.errorData } : {});

// ---------------------------------------------------------------------------
// HTTP function API (ConvexHttpClient)
// ---------------------------------------------------------------------------

const HTTP_KINDS: Record<string, FunctionDef["type"] | "any"> = {
  "/api/query": "query",
  "/api/query_at_ts": "query",
  "/api/mutation": "mutation",
  "/api/action": "action",
  "/api/function": "any",
};
/** ConvexHttpClient's STATUS_CODE_UDF_FAILED. */
const UDF_FAILED = 560;

async function readBody(req: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of req) body += String(chunk);
  return body;
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

/** `ExtractAuthenticationToken` + `extract_bearer_token`: the token, or an HTTP error. */
function bearerToken(header: string | undefined): { token?: string } | { status: number; code: string; message: string } {
  if (header === undefined) return {};
  if (header.length < 7) return { status: 400, code: "InvalidHeaderFailure", message: "Invalid authentication header" };
  if (header.slice(0, 7).toLowerCase() === "convex ") {
    return { status: 401, code: "BadAdminKey", message: "The provided admin key was invalid for this instance" };
  }
  if (header.length <= 7 || header.slice(0, 7).toLowerCase() !== "bearer ") {
    return { status: 400, code: "InvalidAdminKey", message: "Invalid admin key" };
  }
  return { token: header.slice(7).trim() };
}

async function handleHttp(d: Deployment, httpRequests: HttpRecord[], req: IncomingMessage, res: ServerResponse) {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  if (req.method === "POST" && path === "/api/query_ts") return sendJson(res, 200, { ts: encodeU64(d.latestTs) });
  const kind = HTTP_KINDS[path];
  if (req.method !== "POST" || !kind) return sendJson(res, 404, { code: "NotFound", message: `No route for ${req.method} ${path}` });

  let body: Record<string, any>;
  try {
    body = JSON.parse(await readBody(req));
  } catch {
    return sendJson(res, 400, { code: "BadJsonBody", message: "Failed to parse JSON body" });
  }
  const now = d.now();
  const udfPath = canonicalUdfPath(String(body.path ?? ""));
  const auth = bearerToken(req.headers.authorization);
  const token = "token" in auth ? auth.token : undefined;
  const record: HttpRecord = {
    at: now,
    path,
    udfPath,
    ...(token !== undefined ? { token } : {}),
    status: 200,
    expired: token !== undefined && (peekExpMs(token) ?? Infinity) <= now,
  };
  httpRequests.push(record);
  const fail = (status: number, code: string, message: string) => {
    record.status = status;
    record.error = message;
    sendJson(res, status, { code, message });
  };
  if ("status" in auth) return fail(auth.status, auth.code, auth.message);

  let identity: Identity | null = null;
  if (token !== undefined) {
    try {
      // Validated per request with the 5 s leeway; HTTP has no mid-session expiry.
      identity = await d.validator.validate(token, now);
    } catch (err) {
      if (err instanceof AuthFailure) return fail(401, err.code, err.message);
      throw err;
    }
  }
  // `/api/function` sends the args object itself, the others a one-element array.
  const args = path === "/api/function" ? body.args : body.args?.[0];
  const result = await runFunction(d.functions, udfPath, kind, identity, args);
  if (!result.ok) {
    record.status = UDF_FAILED;
    record.error = result.message;
    return sendJson(res, UDF_FAILED, { status: "error", errorMessage: result.message, logLines: [], ...errorData(result) });
  }
  if (d.functions[udfPath]?.type === "mutation") d.dataChanged();
  sendJson(res, 200, { status: "success", value: result.value, logLines: [] });
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
