/**
 * The example's dev issuer: it signs the signed-in user's Convex JWT with a private key from the environment
 * (set by `dev.ts`, which gives the local Convex deployment the matching public key). Your app has its own
 * issuer (or auth service); what matters is that it mints a new JWT on every request, with `iat` now.
 *
 * Env: `DEV_ISSUER_KEY` (the private JWK, JSON), `DEV_ISSUER` (the `iss`), `DEV_APPLICATION_ID` (the `aud`),
 * `DEV_TOKEN_LIFETIME_SEC` (default 60).
 */
import { randomUUID } from "node:crypto";
import { importJWK, SignJWT, type JWK } from "jose";

let key: Promise<{ key: CryptoKey | Uint8Array; kid: string }> | undefined;

function signingKey() {
  key ??= (async () => {
    const jwk = JSON.parse(required("DEV_ISSUER_KEY")) as JWK & { kid: string };
    return { key: await importJWK(jwk, "RS256"), kid: jwk.kid };
  })();
  return key;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: start the example with \`npm run example:nextjs\`.`);
  return value;
}

/** The issuer and audience the tokens carry (and the deployment's `customJwt` provider expects). */
export const devIssuer = {
  issuer: process.env.DEV_ISSUER ?? "",
  applicationID: process.env.DEV_APPLICATION_ID ?? "convex",
};

/** A new JWT for `user`, valid `DEV_TOKEN_LIFETIME_SEC` seconds from now. */
export async function mintConvexToken(user: string): Promise<string> {
  const { key, kid } = await signingKey();
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
    .setIssuer(required("DEV_ISSUER"))
    .setAudience(devIssuer.applicationID)
    .setSubject(user)
    .setIssuedAt(now)
    .setExpirationTime(now + Number(process.env.DEV_TOKEN_LIFETIME_SEC ?? 60))
    .setJti(randomUUID())
    .sign(key);
}
