/**
 * JWS signature verification for RS256 and ES256 with WebCrypto (`crypto.subtle`): no dependency, so the
 * `/server` entry runs in Node ≥ 20, browsers, workers and edge runtimes alike.
 *
 * @internal
 * @module
 */

const PARAMS = {
  RS256: {
    importParams: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    verifyParams: { name: "RSASSA-PKCS1-v1_5" },
    kty: "RSA",
    fields: ["kty", "n", "e"],
  },
  ES256: {
    importParams: { name: "ECDSA", namedCurve: "P-256" },
    verifyParams: { name: "ECDSA", hash: "SHA-256" },
    kty: "EC",
    fields: ["kty", "crv", "x", "y"],
  },
} as const;

function base64urlBytes(segment: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) throw new Error("bad base64url");
  const b64 = segment.replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

/** `{ ok: true }`, or why the signature of `token` does not verify with `jwk` under `algorithm`. */
export async function verifySignature(
  token: string,
  jwk: Record<string, unknown>,
  algorithm: "RS256" | "ES256",
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const spec = PARAMS[algorithm];
  if (jwk.kty !== spec.kty) {
    return { ok: false, reason: `the JWK is a ${String(jwk.kty)} key, ${algorithm} needs an ${spec.kty} key` };
  }
  const parts = token.split(".");
  if (parts.length !== 3) return { ok: false, reason: `the token has ${parts.length} parts, a signed JWT has 3` };
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return { ok: false, reason: "WebCrypto (crypto.subtle) is not available in this runtime" };
  let key: CryptoKey;
  try {
    // Only the public parameters: `alg`/`use`/`key_ops` were compared separately and must not make
    // WebCrypto stricter than the backend.
    const publicJwk = Object.fromEntries(spec.fields.map((f) => [f, jwk[f]])) as JsonWebKey;
    key = await subtle.importKey("jwk", publicJwk, spec.importParams, false, ["verify"]);
  } catch (err) {
    return {
      ok: false,
      reason: `the JWK could not be imported as an ${algorithm} public key (${(err as Error).message})`,
    };
  }
  try {
    const signature = base64urlBytes(parts[2]!);
    const data = new TextEncoder().encode(`${parts[0]}.${parts[1]}`);
    const valid = await subtle.verify(spec.verifyParams, key, signature, data);
    return valid ? { ok: true } : { ok: false, reason: "the signature does not match the header and payload" };
  } catch {
    return { ok: false, reason: "the signature is not valid base64url" };
  }
}
