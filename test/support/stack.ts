/**
 * The whole local stack in one call: a JWT issuer, its token endpoint (serving the JWKS too), and a
 * Convex deployment configured with a `customJwt` provider for it. Used by the integration tests and the
 * demo.
 */
import {
  createTestIssuer,
  startLocalConvexDeployment,
  startTokenEndpoint,
  type AuthenticateRecord,
  type LocalConvexDeployment,
  type TestIssuer,
  type TestIssuerOptions,
  type TokenEndpoint,
} from "../../src/testing";

export interface LocalStack {
  issuer: TestIssuer;
  endpoint: TokenEndpoint;
  deployment: LocalConvexDeployment;
  close(): Promise<void>;
}

export async function startLocalStack(
  options: {
    issuer?: TestIssuerOptions;
    jwksMaxAgeSec?: number;
    onAuthenticate?: (record: AuthenticateRecord) => void;
  } = {},
): Promise<LocalStack> {
  const issuer = await createTestIssuer(options.issuer);
  const endpoint = await startTokenEndpoint(issuer, { jwksMaxAgeSec: options.jwksMaxAgeSec ?? 60 });
  const deployment = await startLocalConvexDeployment({
    providers: [
      {
        type: "customJwt",
        issuer: issuer.issuer,
        jwks: endpoint.jwksUrl,
        applicationID: issuer.applicationID,
        algorithm: issuer.alg,
      },
    ],
    onAuthenticate: options.onAuthenticate,
  });
  return {
    issuer,
    endpoint,
    deployment,
    async close() {
      await deployment.close();
      await endpoint.close();
    },
  };
}
