/**
 * The example's issuer, on the issuer kit (`convex-custom-jwt/issuer`): it signs the signed-in user's Convex
 * JWT with a private key from the environment, and publishes the matching JWKS (`app/api/jwks/route.ts`),
 * which the local Convex deployment's `customJwt` provider reads. In your app the same few lines sign your
 * tokens, with your key from your secret store.
 *
 * Env (set by `dev.ts`): `DEV_ISSUER_KEY` (a PKCS#8 PEM), `DEV_ISSUER_KID`, `DEV_ISSUER` (the `iss`),
 * `DEV_APPLICATION_ID` (the `aud`), `DEV_TOKEN_LIFETIME_SEC` (default 60).
 */
import { createIssuer, type Issuer } from "convex-custom-jwt/issuer";

let issuer: Promise<Issuer> | undefined;

/** The issuer, created on first use (not at import: `next build` loads this module without the key). */
export function devIssuer(): Promise<Issuer> {
  issuer ??= createIssuer({
    issuer: required("DEV_ISSUER"),
    applicationID: process.env.DEV_APPLICATION_ID ?? "convex",
    keys: [{ kid: required("DEV_ISSUER_KID"), privateKey: required("DEV_ISSUER_KEY") }],
    lifetimeSec: Number(process.env.DEV_TOKEN_LIFETIME_SEC ?? 60),
  });
  return issuer;
}

/** What `createServerToken` checks the request's token against (the provider's `issuer` and `applicationID`). */
export const expectedClaims = {
  issuer: process.env.DEV_ISSUER || undefined,
  applicationID: process.env.DEV_APPLICATION_ID ?? "convex",
};

/** A new JWT for `user` (`sub`), valid `DEV_TOKEN_LIFETIME_SEC` seconds from now. */
export async function mintConvexToken(user: string): Promise<string> {
  return (await (await devIssuer()).mint(user)).token;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: start the example with \`npm run example:nextjs\`.`);
  return value;
}
