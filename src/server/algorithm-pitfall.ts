/**
 * `algorithmPitfall`: the signing algorithms real issuers use that Convex's customJwt cannot verify.
 *
 * @internal
 * @module
 */

/**
 * Algorithms real issuers default to that Convex cannot verify, named for what they are: the backend's own
 * words ("missing a 'kid'", "does this key match") point at the `kid`, not at the algorithm.
 */
export function algorithmPitfall(alg: unknown): { code: "ALG_EDDSA" | "ALG_SYMMETRIC"; message: string } | undefined {
  if (alg === "EdDSA") {
    return {
      code: "ALG_EDDSA",
      message:
        "The token is signed with EdDSA (the default of Better Auth's jwt plugin). Convex's customJwt accepts " +
        "only RS256 and ES256, and fails while parsing the header, before it reads the `kid`.",
    };
  }
  if (typeof alg === "string" && /^HS(256|384|512)$/.test(alg)) {
    return {
      code: "ALG_SYMMETRIC",
      message:
        `The token is signed with ${alg}, a shared secret (legacy Supabase projects sign this way). Convex ` +
        "verifies only RS256 and ES256 signatures against a JWKS, and no JWKS holds a shared secret.",
    };
  }
  return undefined;
}
