/**
 * Import one signing key with jose (WebCrypto: Node, Bun, Deno, Workers, Convex): the private `CryptoKey` that
 * signs, and the public JWK the JWKS publishes. The public JWK is built from an allowlist of public members,
 * so a private member (`d`, `p`, `q`, `dp`, `dq`, `qi`, `k`) can never reach a JWKS.
 *
 * @internal
 * @module
 */
import { exportJWK, importJWK, importPKCS8, importSPKI } from "jose";
import { ACCEPTS, readMaterial, rsaModulusBits, type Material } from "./key-material";
import { fail, type IssuerAlgorithm, type IssuerKeyOptions } from "./options";

/** A public JWK as the JWKS serves it: only public members, with `kid`, `alg` and `use: "sig"`. */
export interface PublicJwk {
  kty: "RSA" | "EC";
  kid: string;
  alg: IssuerAlgorithm;
  use: "sig";
  /** RSA modulus and exponent (base64url). */
  n?: string;
  e?: string;
  /** EC curve and coordinates (base64url). */
  crv?: "P-256";
  x?: string;
  y?: string;
}

/** One key, ready to sign (when its private half is here) and to publish. */
export interface ImportedKey {
  kid: string;
  algorithm: IssuerAlgorithm;
  /** Absent on an instance that only publishes this key. */
  privateKey?: CryptoKey;
  publicJwk: PublicJwk;
}

const PUBLIC_MEMBERS = { RSA: ["n", "e"], EC: ["crv", "x", "y"] } as const;

/** Only the public members of `jwk`, for a key of `algorithm`. */
export function publicMembers(jwk: Record<string, unknown>, kid: string, algorithm: IssuerAlgorithm): PublicJwk {
  const kty = algorithm === "RS256" ? "RSA" : "EC";
  const out: Record<string, unknown> = { kty };
  for (const name of PUBLIC_MEMBERS[kty]) out[name] = jwk[name];
  return { ...(out as Pick<PublicJwk, "kty">), kid, alg: algorithm, use: "sig" };
}

const PRIVATE_JWK_MEMBERS = ["kty", "crv", "n", "e", "d", "p", "q", "dp", "dq", "qi", "x", "y"];

async function toCryptoKey(path: string, m: Material, algorithm: IssuerAlgorithm): Promise<CryptoKey> {
  try {
    if (m.format === "cryptokey") return m.key;
    if (m.format === "pkcs8") return await importPKCS8(m.pem, algorithm, { extractable: true });
    if (m.format === "spki") return await importSPKI(m.pem, algorithm, { extractable: true });
    // Only the key's own members: `use`, `key_ops` or `ext` must not make the import stricter than the JWKS.
    const jwk = Object.fromEntries(PRIVATE_JWK_MEMBERS.filter((k) => m.jwk[k] !== undefined).map((k) => [k, m.jwk[k]]));
    const key = await importJWK(jwk, algorithm, { extractable: true });
    if (key instanceof Uint8Array) throw new Error("symmetric");
    return key;
  } catch {
    // jose's and WebCrypto's messages are not shown: they may quote the input.
    return fail(path, `could not be imported as an ${algorithm} key: the key data is damaged or incomplete.`);
  }
}

async function jwkOf(path: string, m: Material, key: CryptoKey): Promise<Record<string, unknown> | undefined> {
  if (m.format === "jwk") return m.jwk;
  if (!key.extractable) return undefined;
  try {
    return (await exportJWK(key)) as Record<string, unknown>;
  } catch {
    return fail(path, "could not be exported to find its public half: pass the public key as well (`publicKey`).");
  }
}

function checkSize(
  path: string,
  algorithm: IssuerAlgorithm,
  jwk: Record<string, unknown> | undefined,
  key?: CryptoKey,
) {
  if (algorithm !== "RS256") return;
  const bits = jwk
    ? rsaModulusBits(jwk.n)
    : ((key?.algorithm as { modulusLength?: number } | undefined)?.modulusLength ?? 0);
  if (bits < 2048) {
    fail(path, `is an RSA key of ${bits} bits (under 2048 bits it can be broken). ${ACCEPTS}.`);
  }
}

/** Import `keys[index]`: check its type, size, algorithm and kid; derive its public JWK. */
export async function importIssuerKey(key: IssuerKeyOptions, index: number): Promise<ImportedKey> {
  const at = `keys[${index}]`;
  if (key.privateKey === undefined && key.publicKey === undefined) {
    fail(
      `${at}.privateKey`,
      "is required to sign (a PKCS#8 PEM, a private JWK or a CryptoKey); on an instance that " +
        "only serves the JWKS, give `publicKey` instead.",
    );
  }
  const priv = key.privateKey === undefined ? undefined : readMaterial(`${at}.privateKey`, key.privateKey, true);
  const pub = key.publicKey === undefined ? undefined : readMaterial(`${at}.publicKey`, key.publicKey, false);
  const inferred = (priv ?? pub)!.algorithm;
  if (key.algorithm !== undefined && key.algorithm !== "RS256" && key.algorithm !== "ES256") {
    fail(
      `${at}.algorithm`,
      `is ${JSON.stringify(key.algorithm)}: Convex's customJwt accepts "RS256" and "ES256" only.`,
    );
  }
  for (const [m, name] of [
    [priv, "privateKey"],
    [pub, "publicKey"],
  ] as const) {
    if (m && key.algorithm !== undefined && m.algorithm !== key.algorithm) {
      fail(
        `${at}.algorithm`,
        `is ${key.algorithm} but \`${at}.${name}\` is an ${m.algorithm === "RS256" ? "RSA" : "EC P-256"} ` +
          "key: RSA keys sign RS256, EC P-256 keys ES256.",
      );
    }
  }
  if (priv && pub && priv.algorithm !== pub.algorithm) {
    fail(
      `${at}.publicKey`,
      `is an ${pub.algorithm} key but \`${at}.privateKey\` is an ${priv.algorithm} key: ` +
        "pass the two halves of one key.",
    );
  }
  const algorithm = key.algorithm ?? inferred;
  for (const [m, name] of [
    [priv, "privateKey"],
    [pub, "publicKey"],
  ] as const) {
    const jwkKid = m?.format === "jwk" ? m.jwk.kid : undefined;
    if (jwkKid !== undefined && jwkKid !== key.kid) {
      fail(
        `${at}.kid`,
        `is ${JSON.stringify(key.kid)} but \`${at}.${name}\` is a JWK with kid ${JSON.stringify(jwkKid)}: ` +
          "give them the same value, or remove the JWK's kid.",
      );
    }
  }

  const privateKey = priv ? await toCryptoKey(`${at}.privateKey`, priv, algorithm) : undefined;
  const fromPrivate = priv && privateKey ? await jwkOf(`${at}.privateKey`, priv, privateKey) : undefined;
  if (priv) checkSize(`${at}.privateKey`, algorithm, fromPrivate, privateKey);
  const publicKey = pub ? await toCryptoKey(`${at}.publicKey`, pub, algorithm) : undefined;
  const fromPublic = pub && publicKey ? await jwkOf(`${at}.publicKey`, pub, publicKey) : undefined;
  if (pub) checkSize(`${at}.publicKey`, algorithm, fromPublic, publicKey);

  const source = fromPublic ?? fromPrivate;
  if (!source) {
    fail(
      `${at}.publicKey`,
      `is needed: \`${at}.privateKey\` is a non-extractable CryptoKey, so its public half ` +
        "cannot be derived for the JWKS.",
    );
  }
  const publicJwk = publicMembers(source, key.kid, algorithm);
  if (fromPrivate && fromPublic) {
    const derived = publicMembers(fromPrivate, key.kid, algorithm);
    if (JSON.stringify(derived) !== JSON.stringify(publicJwk)) {
      fail(`${at}.publicKey`, `is not the public half of \`${at}.privateKey\`: pass the two halves of one key.`);
    }
  }
  return { kid: key.kid, algorithm, ...(privateKey ? { privateKey } : {}), publicJwk };
}
