/**
 * The local deployment's types: the public records and handles of `startLocalConvexDeployment`, and the state
 * its parts share (`Deployment`). The parts (`deployment/*`) and the server that wires them
 * (`convex-deployment.ts`) import these from here, never from each other's parents.
 *
 * @module
 */
import type { CustomJwtProvider } from "../../server/custom-jwt-provider";
import type { CustomJwtValidator } from "./custom-jwt-validator";

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

/**
 * What the parts of one deployment share: its clock, functions, validator, records and the commit
 * timestamp.
 *
 * @internal
 */
export interface Deployment {
  now: () => number;
  functions: Record<string, FunctionDef>;
  validator: CustomJwtValidator;
  authenticates: AuthenticateRecord[];
  authErrors: AuthErrorRecord[];
  onAuthenticate?: (record: AuthenticateRecord) => void;
  /** The latest commit timestamp handed out, ns since the epoch. */
  latestTs: bigint;
  /** A new commit timestamp: the wall clock in ns, or one more than the latest (monotonic across sockets). */
  nextTs(): bigint;
  /** Data changed (a mutation ran): every open socket re-runs its queries. */
  dataChanged(): void;
}
