/** Unsigned JWTs for simulations: the manager decodes (jwt-decode), it never verifies signatures. */
import { jwtDecode } from "jwt-decode";
import { unsignedJwt } from "../../src/testing/unsigned-jwt";

let serial = 0;

/** A JWT minted at `nowMs` (iat/exp in whole seconds, as issuers do), valid `lifetimeSec`, with a unique `jti`. */
export function mintToken(nowMs: number, lifetimeSec = 900, sub = "user_1"): string {
  const iat = Math.floor(nowMs / 1000);
  return unsignedJwt({ sub, iat, exp: iat + lifetimeSec, jti: `t${++serial}` });
}

/** `exp` of a token, in ms. */
export function expOf(token: string): number {
  return jwtDecode<{ exp: number }>(token).exp * 1000;
}
