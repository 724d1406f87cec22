/** Unsigned JWTs for simulations: the manager decodes (jwt-decode), it never verifies signatures. */
const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
const header = b64url({ alg: "RS256", typ: "JWT" });
let serial = 0;

/** A JWT minted at `nowMs` (iat/exp in whole seconds, as issuers do), valid `lifetimeSec`, with a unique `jti`. */
export function mintToken(nowMs: number, lifetimeSec = 900, sub = "user_1"): string {
  const iat = Math.floor(nowMs / 1000);
  return `${header}.${b64url({ sub, iat, exp: iat + lifetimeSec, jti: `t${++serial}` })}.sig`;
}

/** `exp` of a token minted by {@link mintToken}, in ms. */
export function expOf(token: string): number {
  const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as { exp: number };
  return payload.exp * 1000;
}
