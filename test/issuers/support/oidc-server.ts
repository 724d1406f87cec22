/**
 * A real OAuth 2.0 / OpenID provider (oidc-provider 9, a certified OpenID provider) on loopback, issuing
 * ES256 JWT access tokens (RFC 9068) with audience "convex" to a machine client through the
 * `client_credentials` grant, as the README's recipe configures it.
 */
import { exportJWK, generateKeyPair } from "jose";
import Provider, { errors } from "oidc-provider";
import type { CustomJwtProvider } from "../../../src/server/custom-jwt-provider";
import { startLoopbackServer, type LoopbackServer } from "./loopback";

/** The resource indicator (RFC 8707) that stands for the Convex deployment's API. */
export const CONVEX_RESOURCE = "urn:convex:deployment";
export const CLIENT_ID = "nightly-worker";
export const CLIENT_SECRET = "worker-secret-for-loopback-tests-only";

export interface OidcServer {
  issuer: string;
  tokenUrl: string;
  jwksUrl: string;
  /** The `customJwt` provider for Convex's auth.config.ts. */
  provider: CustomJwtProvider;
  http: LoopbackServer;
  close(): Promise<void>;
}

export async function startOidcProvider(options: { accessTokenTtlSec?: number } = {}): Promise<OidcServer> {
  const http = await startLoopbackServer();
  const issuer = http.origin;
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: "es256-1", alg: "ES256", use: "sig" };
  const provider = new Provider(issuer, {
    jwks: { keys: [signingKey] },
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        grant_types: ["client_credentials"],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: "client_secret_basic",
        id_token_signed_response_alg: "ES256",
      },
    ],
    ttl: { ClientCredentials: options.accessTokenTtlSec ?? 300 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => CONVEX_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => {
          if (resource !== CONVEX_RESOURCE) throw new errors.InvalidTarget();
          return {
            scope: "convex",
            audience: "convex",
            accessTokenTTL: options.accessTokenTtlSec ?? 300,
            accessTokenFormat: "jwt",
            jwt: { sign: { alg: "ES256" } },
          };
        },
      },
    },
  });
  http.setHandler(provider.callback());
  return {
    issuer,
    tokenUrl: `${issuer}/token`,
    jwksUrl: `${issuer}/jwks`,
    provider: { type: "customJwt", issuer, jwks: `${issuer}/jwks`, applicationID: "convex", algorithm: "ES256" },
    http,
    close: () => http.close(),
  };
}
