/**
 * A synchronous, UNSIGNED JWT for fast unit/property tests: the signature
 * segment is junk, so only decoders that don't verify (jwt-decode, Convex's
 * client) accept it. The default header is `{ alg: "RS256", typ: "JWT" }`.
 */
export function unsignedJwt(
  payload: Record<string, unknown>,
  header: Record<string, unknown> = { alg: "RS256", typ: "JWT" },
): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${part(header)}.${part(payload)}.${Buffer.from("unsigned").toString("base64url")}`;
}
