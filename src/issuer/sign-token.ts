/**
 * The one signing call, shared by the production signer and the testing kit: jose's `SignJWT` over a payload
 * passed as is (no claim added or checked), under the given protected header.
 *
 * @internal
 * @module
 */
import { SignJWT } from "jose";
import type { TokenHeader } from "./token-claims";

/** Sign `payload` under `header` with `key` (WebCrypto). */
export function signToken(
  header: TokenHeader | Record<string, unknown>,
  payload: Record<string, unknown>,
  key: CryptoKey,
): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(key);
}
