/**
 * What kind of key the app passed, read without importing it: a PEM's label and algorithm identifier, a JWK's
 * `kty`/`crv`/`alg`, a `CryptoKey`'s algorithm. Anything Convex does not accept is refused here with a
 * `TypeError` that names the option and says what Convex accepts. Messages never contain key material.
 *
 * @internal
 * @module
 */
import { fail, type IssuerAlgorithm } from "./options";

/** A key, sorted by what it is; `algorithm` is the one its type signs with. */
export type Material =
  | { format: "pkcs8"; pem: string; algorithm: IssuerAlgorithm }
  | { format: "spki"; pem: string; algorithm: IssuerAlgorithm }
  | { format: "jwk"; jwk: Record<string, unknown>; algorithm: IssuerAlgorithm; isPrivate: boolean }
  | { format: "cryptokey"; key: CryptoKey; algorithm: IssuerAlgorithm; isPrivate: boolean };

export const ACCEPTS =
  "Convex's customJwt accepts only RS256 (an RSA key of 2048 bits or more) and ES256 (an EC P-256 key): generate " +
  "one with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048` or " +
  "`openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`";

const TO_PKCS8 = "convert it to PKCS#8 (`openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pkcs8.pem`)";

/** DER algorithm identifiers (OID TLVs) found near the start of a PKCS#8 or SPKI structure. */
const OIDS: { hex: string; type: string; algorithm?: IssuerAlgorithm }[] = [
  { hex: "06092a864886f70d010101", type: "RSA", algorithm: "RS256" },
  { hex: "06092a864886f70d01010a", type: "RSA-PSS (PS256)" },
  { hex: "06082a8648ce3d030107", type: "EC P-256", algorithm: "ES256" },
  { hex: "06052b81040022", type: "EC P-384 (ES384)" },
  { hex: "06052b81040023", type: "EC P-521 (ES512)" },
  { hex: "06052b8104000a", type: "EC secp256k1 (ES256K)" },
  { hex: "06032b6570", type: "Ed25519 (EdDSA)" },
  { hex: "06032b6571", type: "Ed448 (EdDSA)" },
];

function derHexStart(pem: string): string {
  const body = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  try {
    const bytes = atob(body.slice(0, 64));
    return Array.from(bytes, (c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
  } catch {
    return "";
  }
}

function fromPem(path: string, text: string, wantPrivate: boolean): Material {
  const label = /^-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1] ?? "";
  if (label === "ENCRYPTED PRIVATE KEY") {
    fail(path, "is an encrypted PEM: pass it decrypted (keep it in a secret store instead of encrypting it).");
  }
  if (label === "RSA PRIVATE KEY" || label === "EC PRIVATE KEY") {
    fail(path, `is a ${label} PEM (${label.startsWith("RSA") ? "PKCS#1" : "SEC1"}): ${TO_PKCS8}.`);
  }
  const format = label === "PRIVATE KEY" ? "pkcs8" : label === "PUBLIC KEY" ? "spki" : undefined;
  if (!format) fail(path, `is a "${label}" PEM: pass a private key ("-----BEGIN PRIVATE KEY-----", PKCS#8).`);
  if (wantPrivate && format === "spki") {
    fail(path, "is a public key (SPKI PEM): pass the private key (PKCS#8) to sign, or give this one as `publicKey`.");
  }
  if (!wantPrivate && format === "pkcs8") fail(path, "is a private key: give the public key (SPKI PEM) here.");
  const head = derHexStart(text);
  const oid = OIDS.find((o) => head.includes(o.hex));
  if (!oid) fail(path, `is a PEM whose key type could not be read. ${ACCEPTS}.`);
  if (!oid.algorithm) fail(path, `is an ${oid.type} key. ${ACCEPTS}.`);
  return { format, pem: text, algorithm: oid.algorithm };
}

function algorithmOfJwk(path: string, jwk: Record<string, unknown>): IssuerAlgorithm {
  const { kty, crv, alg } = jwk;
  if (kty === "oct") fail(path, `is a symmetric JWK (kty "oct", HS256): a shared secret. ${ACCEPTS}.`);
  if (kty === "OKP") fail(path, `is an ${String(crv ?? "OKP")} JWK (EdDSA). ${ACCEPTS}.`);
  const algorithm: IssuerAlgorithm | undefined = kty === "RSA" ? "RS256" : kty === "EC" ? "ES256" : undefined;
  if (!algorithm) fail(path, `is a JWK with kty ${JSON.stringify(kty)}. ${ACCEPTS}.`);
  if (kty === "EC" && crv !== "P-256") fail(path, `is an EC JWK on curve ${JSON.stringify(crv)}. ${ACCEPTS}.`);
  if (alg !== undefined && alg !== algorithm) {
    fail(path, `is a ${String(kty)} JWK with alg ${JSON.stringify(alg)}. ${ACCEPTS}.`);
  }
  return algorithm;
}

function algorithmOfCryptoKey(path: string, key: CryptoKey): IssuerAlgorithm {
  const a = key.algorithm as { name?: string; namedCurve?: string; hash?: { name?: string } };
  if (a.name === "RSASSA-PKCS1-v1_5" && a.hash?.name === "SHA-256") return "RS256";
  if (a.name === "ECDSA" && a.namedCurve === "P-256") return "ES256";
  const what = [a.name, a.namedCurve, a.hash?.name].filter(Boolean).join(" ");
  return fail(
    path,
    `is a CryptoKey for ${what}. ${ACCEPTS} (import it as RSASSA-PKCS1-v1_5 with SHA-256, or ECDSA P-256).`,
  );
}

const isCryptoKey = (value: unknown): value is CryptoKey =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as CryptoKey).type === "string" &&
  typeof (value as CryptoKey).algorithm === "object" &&
  Array.isArray((value as CryptoKey).usages);

/**
 * Read `value` (a PEM, a JWK object or JSON text, or a `CryptoKey`) at option `path`. `wantPrivate` says whether
 * it must be the private half (`privateKey`) or the public one (`publicKey`).
 */
export function readMaterial(path: string, value: unknown, wantPrivate: boolean): Material {
  if (isCryptoKey(value)) {
    const isPrivate = value.type === "private";
    if (value.type === "secret") fail(path, `is a secret CryptoKey (HMAC, HS256). ${ACCEPTS}.`);
    if (wantPrivate && !isPrivate)
      fail(path, "is a public CryptoKey: pass the private key to sign, or give it as `publicKey`.");
    if (isPrivate && !value.usages.includes("sign"))
      fail(path, 'is a CryptoKey without the "sign" usage: import it with ["sign"].');
    return { format: "cryptokey", key: value, algorithm: algorithmOfCryptoKey(path, value), isPrivate };
  }
  let jwk: unknown = value;
  if (typeof value === "string") {
    // Environment variables often carry a PEM with its newlines written as `\n`.
    const text = value.trim().replace(/\\n/g, "\n");
    if (text.startsWith("-----BEGIN ")) return fromPem(path, text, wantPrivate);
    if (!text.startsWith("{")) {
      fail(path, `is neither a PEM nor a JWK (a plain string would be a shared secret, HS256). ${ACCEPTS}.`);
    }
    try {
      jwk = JSON.parse(text);
    } catch {
      // Never the parser's message: it quotes the text, which is key material.
      fail(path, "is a string that starts like a JWK but is not valid JSON.");
    }
  }
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) {
    fail(path, `must be a PEM string, a JWK (object or JSON text) or a CryptoKey, got ${typeof jwk}.`);
  }
  const record = jwk as Record<string, unknown>;
  const algorithm = algorithmOfJwk(path, record);
  const isPrivate = record.d !== undefined;
  if (wantPrivate && !isPrivate) {
    fail(path, "is a public JWK (no `d`): pass the private JWK to sign, or give this one as `publicKey`.");
  }
  return { format: "jwk", jwk: record, algorithm, isPrivate };
}

/** The bit length of an RSA modulus given as base64url (a JWK's `n`). */
export function rsaModulusBits(n: unknown): number {
  if (typeof n !== "string") return 0;
  let bytes: string;
  try {
    bytes = atob(
      n
        .replace(/-/g, "+")
        .replace(/_/g, "/")
        .padEnd(Math.ceil(n.length / 4) * 4, "="),
    );
  } catch {
    return 0;
  }
  let i = 0;
  while (i < bytes.length && bytes.charCodeAt(i) === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes.charCodeAt(i)));
}
