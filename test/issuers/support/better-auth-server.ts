/**
 * A real Better Auth server (better-auth 1.7, memory adapter, email and password, the `jwt` plugin) on
 * loopback, configured for Convex as the README says: RS256 keys, audience "convex". `alg: "EdDSA"` keeps
 * the plugin's default key algorithm, the one Convex rejects.
 */
import { betterAuth } from "better-auth";
import { memoryAdapter } from "better-auth/adapters/memory";
import { toNodeHandler } from "better-auth/node";
import { jwt } from "better-auth/plugins/jwt";
import type { CustomJwtProvider } from "../../../src/server/custom-jwt-provider";
import { startLoopbackServer, type LoopbackServer } from "./loopback";

export const TOKEN_PATH = "/api/auth/token";
export const JWKS_PATH = "/api/auth/jwks";

export interface BetterAuthServer {
  baseURL: string;
  tokenUrl: string;
  jwksUrl: string;
  /** The `customJwt` provider for Convex's auth.config.ts. */
  provider: CustomJwtProvider;
  http: LoopbackServer;
  /** Sign a new user up; returns the session cookie (as a `Cookie` header) and the user's id. */
  signUp(name: string, email: string): Promise<{ cookie: string; userId: string }>;
  /** Sign the session out at Better Auth (as another tab or device would). */
  signOut(cookie: string): Promise<void>;
  close(): Promise<void>;
}

export async function startBetterAuth(options: { alg?: "RS256" | "EdDSA"; expirationTime?: string } = {}) {
  const http = await startLoopbackServer();
  const baseURL = http.origin;
  const alg = options.alg ?? "RS256";
  const auth = betterAuth({
    baseURL,
    secret: "better-auth-secret-for-loopback-tests-only-0123456789",
    database: memoryAdapter({ user: [], session: [], account: [], verification: [], jwks: [] }),
    emailAndPassword: { enabled: true },
    logger: { disabled: true },
    telemetry: { enabled: false },
    plugins: [
      jwt({
        ...(alg === "RS256" ? { jwks: { keyPairConfig: { alg: "RS256" } } } : {}),
        jwt: { audience: "convex", ...(options.expirationTime ? { expirationTime: options.expirationTime } : {}) },
      }),
    ],
  });
  http.setHandler(toNodeHandler(auth));
  // The plugin creates its signing key on first use (an RSA key generation: seconds on a loaded machine). Done
  // here, in real time, so that no test's fake clock moves on while it runs (the integration clock stops
  // waiting for I/O after 250 ms of real time, and the manager's and Convex's timeouts would then fire).
  const jwks = await fetch(`${baseURL}${JWKS_PATH}`);
  if (!jwks.ok) throw new Error(`Better Auth's JWKS answered ${jwks.status}: ${await jwks.text()}`);
  const post = (path: string, body: unknown, cookie?: string) =>
    fetch(`${baseURL}/api/auth${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: baseURL, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    });
  const server: BetterAuthServer = {
    baseURL,
    tokenUrl: `${baseURL}${TOKEN_PATH}`,
    jwksUrl: `${baseURL}${JWKS_PATH}`,
    provider: {
      type: "customJwt",
      issuer: baseURL,
      jwks: `${baseURL}${JWKS_PATH}`,
      applicationID: "convex",
      algorithm: "RS256",
    },
    http,
    async signUp(name, email) {
      const response = await post("/sign-up/email", { name, email, password: "correct horse battery staple" });
      if (!response.ok) throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
      const { user } = (await response.json()) as { user: { id: string } };
      const cookie = response.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .join("; ");
      return { cookie, userId: user.id };
    },
    async signOut(cookie) {
      const response = await post("/sign-out", {}, cookie);
      if (!response.ok) throw new Error(`sign-out failed: ${response.status} ${await response.text()}`);
    },
    close: () => http.close(),
  };
  return server;
}
