/**
 * Key fixtures for the issuer tests: good RS256/ES256 keys in every form the app may hold them (PKCS#8 PEM,
 * private JWK, CryptoKey), and the keys Convex does not accept, made with Node's crypto. Generated once per
 * test file (RSA generation takes real time).
 */
import { generateKeyPairSync, webcrypto } from "node:crypto";
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair } from "jose";

export interface KeyForms {
  pem: string;
  spki: string;
  jwk: Record<string, unknown>;
  publicJwk: Record<string, unknown>;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

export async function keyForms(alg: "RS256" | "ES256"): Promise<KeyForms> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return {
    pem: await exportPKCS8(privateKey),
    spki: await exportSPKI(publicKey),
    jwk: (await exportJWK(privateKey)) as Record<string, unknown>,
    publicJwk: (await exportJWK(publicKey)) as Record<string, unknown>,
    privateKey,
    publicKey,
  };
}

const pem = (type: string, options: object, format: "pkcs8" | "pkcs1" | "sec1" = "pkcs8", extra = {}) =>
  generateKeyPairSync(type as "rsa", options as { modulusLength: number }).privateKey.export({
    type: format as "pkcs8",
    format: "pem",
    ...extra,
  }) as string;

/** Keys Convex's customJwt does not accept, or forms the kit cannot read. */
export function badKeys() {
  const rsa1024 = generateKeyPairSync("rsa", { modulusLength: 1024 });
  return {
    rsa1024Pem: rsa1024.privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    rsa1024Jwk: rsa1024.privateKey.export({ format: "jwk" }) as Record<string, unknown>,
    ed25519Pem: pem("ed25519", {}),
    ed25519Jwk: generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" }) as Record<string, unknown>,
    p384Pem: pem("ec", { namedCurve: "P-384" }),
    secp256k1Pem: pem("ec", { namedCurve: "secp256k1" }),
    rsaPssPem: pem("rsa-pss", { modulusLength: 2048 }),
    pkcs1Pem: pem("rsa", { modulusLength: 2048 }, "pkcs1"),
    sec1Pem: pem("ec", { namedCurve: "P-256" }, "sec1"),
    encryptedPem: pem("rsa", { modulusLength: 2048 }, "pkcs8", { cipher: "aes-256-cbc", passphrase: "pw" }),
    hmacJwk: { kty: "oct", k: "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", alg: "HS256" },
  };
}

/** WebCrypto keys of kinds Convex does not accept. */
export async function badCryptoKeys() {
  const subtle = webcrypto.subtle as SubtleCrypto;
  const hmac = await subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
  const ed = (await subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const rsa1024 = (await subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    false,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const pss = (await subtle.generateKey(
    { name: "RSA-PSS", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  return { hmac, ed25519: ed.privateKey, rsa1024: rsa1024.privateKey, rsaPss: pss.privateKey };
}

/** Every string at least 16 characters long found in a key (PEM lines, JWK members): key material. */
export function secretsOf(...keys: unknown[]): string[] {
  const out: string[] = [];
  for (const key of keys) {
    if (typeof key === "string")
      out.push(...key.split("\n").filter((line) => line.length >= 16 && !line.startsWith("-----")));
    else if (key && typeof key === "object") {
      for (const [name, value] of Object.entries(key)) {
        if (["d", "p", "q", "dp", "dq", "qi", "k"].includes(name) && typeof value === "string")
          out.push(value.slice(0, 16));
      }
    }
  }
  return out;
}
