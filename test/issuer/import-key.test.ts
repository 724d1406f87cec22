/**
 * Keys in, public JWKS out: every key Convex does not accept is a TypeError naming the option and saying what
 * Convex accepts, no message carries key material, and no private member ever reaches the JWKS. The pain
 * points: hand-written jose issuers with no `kid` or the wrong `alg`, and a Better Auth EdDSA key the backend
 * reports as a missing kid (see the README's troubleshooting).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createIssuer, jwksHandler, type IssuerKeyOptions } from "../../src/issuer/index";
import { badCryptoKeys, badKeys, keyForms, secretsOf, type KeyForms } from "./keys";

const base = { issuer: "https://auth.test", applicationID: "convex" };
const PRIVATE_MEMBER = /"(d|p|q|dp|dq|qi|k)"\s*:/;
let rsa: KeyForms;
let ec: KeyForms;
let bad: ReturnType<typeof badKeys>;
let badCrypto: Awaited<ReturnType<typeof badCryptoKeys>>;

beforeAll(async () => {
  [rsa, ec, badCrypto] = await Promise.all([keyForms("RS256"), keyForms("ES256"), badCryptoKeys()]);
  bad = badKeys();
});

/** The PEM with a few lines of its body cut out: the header and key type still read, the key does not. */
const damaged = (pem: string) => {
  const lines = pem.trim().split("\n");
  return [...lines.slice(0, 6), ...lines.slice(12)].join("\n");
};

async function refusal(keys: IssuerKeyOptions[]): Promise<TypeError> {
  const error = await createIssuer({ ...base, keys }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TypeError);
  return error as TypeError;
}

describe("keys Convex does not accept: a TypeError naming the option and what Convex accepts", () => {
  const ACCEPTS = /RS256.*ES256/;
  const cases: [string, () => IssuerKeyOptions[], RegExp, RegExp][] = [
    [
      "HS256: a shared secret string",
      () => [{ kid: "a", privateKey: "my-long-shared-secret" }],
      /keys\[0\]\.privateKey/,
      /shared secret, HS256/,
    ],
    [
      "HS256: an oct JWK",
      () => [{ kid: "a", privateKey: bad.hmacJwk as JsonWebKey }],
      /keys\[0\]\.privateKey/,
      /kty "oct", HS256/,
    ],
    [
      "HS256: an HMAC CryptoKey",
      () => [{ kid: "a", privateKey: badCrypto.hmac }],
      /keys\[0\]\.privateKey/,
      /HMAC, HS256/,
    ],
    [
      "HS256: algorithm option",
      () => [{ kid: "a", privateKey: rsa.pem, algorithm: "HS256" as never }],
      /keys\[0\]\.algorithm/,
      /"HS256"/,
    ],
    [
      "EdDSA: an Ed25519 PEM",
      () => [{ kid: "a", privateKey: bad.ed25519Pem }],
      /keys\[0\]\.privateKey/,
      /Ed25519 \(EdDSA\)/,
    ],
    [
      "EdDSA: an OKP JWK",
      () => [{ kid: "a", privateKey: bad.ed25519Jwk as JsonWebKey }],
      /keys\[0\]\.privateKey/,
      /Ed25519 JWK \(EdDSA\)/,
    ],
    [
      "EdDSA: an Ed25519 CryptoKey",
      () => [{ kid: "a", privateKey: badCrypto.ed25519 }],
      /keys\[0\]\.privateKey/,
      /CryptoKey for Ed25519/,
    ],
    [
      "EdDSA: algorithm option",
      () => [{ kid: "a", privateKey: ec.pem, algorithm: "EdDSA" as never }],
      /keys\[0\]\.algorithm/,
      /"EdDSA"/,
    ],
    [
      "RSA 1024: PEM",
      () => [{ kid: "a", privateKey: bad.rsa1024Pem }],
      /keys\[0\]\.privateKey/,
      /RSA key of 1024 bits \(under 2048 bits it can be broken\)/,
    ],
    [
      "RSA 1024: JWK",
      () => [{ kid: "a", privateKey: bad.rsa1024Jwk as JsonWebKey }],
      /keys\[0\]\.privateKey/,
      /1024 bits/,
    ],
    [
      "RSA 1024: non-extractable CryptoKey",
      () => [{ kid: "a", privateKey: badCrypto.rsa1024 }],
      /keys\[0\]\.privateKey/,
      /1024 bits/,
    ],
    [
      "a duplicate kid",
      () => [
        { kid: "a", privateKey: ec.pem },
        { kid: "a", privateKey: ec.jwk as JsonWebKey, signFrom: Date.now() + 1e9 },
      ],
      /keys\[1\]\.kid/,
      /same as keys\[0\]\.kid/,
    ],
    [
      "ES256 declared for an RSA key",
      () => [{ kid: "a", privateKey: rsa.pem, algorithm: "ES256" }],
      /keys\[0\]\.algorithm/,
      /is ES256 but `keys\[0\]\.privateKey` is an RSA key/,
    ],
    [
      "RS256 declared for an EC key",
      () => [{ kid: "a", privateKey: ec.jwk as JsonWebKey, algorithm: "RS256" }],
      /keys\[0\]\.algorithm/,
      /EC P-256 key: RSA keys sign RS256/,
    ],
    [
      "a JWK whose alg is not its type's",
      () => [{ kid: "a", privateKey: { ...ec.jwk, alg: "RS256" } as JsonWebKey }],
      /keys\[0\]\.privateKey/,
      /EC JWK with alg "RS256"/,
    ],
    [
      "two keys of different algorithms",
      () => [
        { kid: "a", privateKey: rsa.pem },
        { kid: "b", privateKey: ec.pem, signFrom: Date.now() + 1e9 },
      ],
      /keys\[1\]\.algorithm/,
      /one `algorithm`/,
    ],
    ["an empty key list", () => [], /`keys`/, /non-empty array/],
    ["EC P-384", () => [{ kid: "a", privateKey: bad.p384Pem }], /keys\[0\]\.privateKey/, /P-384 \(ES384\)/],
    ["EC secp256k1", () => [{ kid: "a", privateKey: bad.secp256k1Pem }], /keys\[0\]\.privateKey/, /secp256k1/],
    ["RSA-PSS PEM", () => [{ kid: "a", privateKey: bad.rsaPssPem }], /keys\[0\]\.privateKey/, /RSA-PSS \(PS256\)/],
    ["RSA-PSS CryptoKey", () => [{ kid: "a", privateKey: badCrypto.rsaPss }], /keys\[0\]\.privateKey/, /RSA-PSS/],
  ];
  it.each(cases)("%s", async (_name, keys, option, what) => {
    const error = await refusal(keys());
    expect(error.message).toMatch(/^createIssuer: /);
    expect(error.message).toMatch(option);
    expect(error.message).toMatch(what);
    if (!/duplicate|different|declared/.test(_name)) expect(error.message).toMatch(ACCEPTS);
  });
});

describe("key forms the kit cannot read say how to fix them", () => {
  const cases: [string, () => IssuerKeyOptions[], RegExp][] = [
    [
      "PKCS#1 PEM",
      () => [{ kid: "a", privateKey: bad.pkcs1Pem }],
      /RSA PRIVATE KEY PEM \(PKCS#1\): convert it to PKCS#8 \(`openssl pkcs8 -topk8/,
    ],
    ["SEC1 PEM", () => [{ kid: "a", privateKey: bad.sec1Pem }], /EC PRIVATE KEY PEM \(SEC1\)/],
    ["encrypted PEM", () => [{ kid: "a", privateKey: bad.encryptedPem }], /encrypted PEM: pass it decrypted/],
    [
      "a public key as privateKey",
      () => [{ kid: "a", privateKey: rsa.spki }],
      /keys\[0\]\.privateKey` is a public key \(SPKI PEM\)/,
    ],
    [
      "a public JWK as privateKey",
      () => [{ kid: "a", privateKey: ec.publicJwk as JsonWebKey }],
      /public JWK \(no `d`\)/,
    ],
    [
      "JSON that is not JSON",
      () => [{ kid: "a", privateKey: '{"kty":"EC","d":"abc' }],
      /starts like a JWK but is not valid JSON/,
    ],
    ["no key at all", () => [{ kid: "a" }], /keys\[0\]\.privateKey` is required/],
    ["a damaged PEM", () => [{ kid: "a", privateKey: damaged(rsa.pem) }], /could not be imported as an RS256 key/],
    [
      "a JWK whose kid is not the option's",
      () => [{ kid: "a", privateKey: { ...ec.jwk, kid: "b" } as JsonWebKey }],
      /keys\[0\]\.kid` is "a" but `keys\[0\]\.privateKey` is a JWK with kid "b"/,
    ],
    [
      "a publicKey of another key",
      () => [{ kid: "a", privateKey: ec.pem, publicKey: rsa.spki }],
      /keys\[0\]\.publicKey/,
    ],
  ];
  it.each(cases)("%s", async (_name, keys, what) => {
    expect((await refusal(keys())).message).toMatch(what);
  });

  it("a publicKey that is not the private key's other half", async () => {
    const other = await keyForms("ES256");
    const error = await refusal([{ kid: "a", privateKey: ec.pem, publicKey: other.spki }]);
    expect(error.message).toMatch(/`keys\[0\]\.publicKey` is not the public half of `keys\[0\]\.privateKey`/);
  });
});

describe("no key material in any message", () => {
  it("none of the refusals above quotes the key it refused", async () => {
    const inputs: IssuerKeyOptions[][] = [
      [{ kid: "a", privateKey: bad.rsa1024Pem }],
      [{ kid: "a", privateKey: bad.rsa1024Jwk as JsonWebKey }],
      [{ kid: "a", privateKey: bad.ed25519Pem }],
      [{ kid: "a", privateKey: bad.pkcs1Pem }],
      [{ kid: "a", privateKey: bad.encryptedPem }],
      [{ kid: "a", privateKey: JSON.stringify(rsa.jwk).slice(0, -2) }],
      [{ kid: "a", privateKey: damaged(rsa.pem) }],
      [{ kid: "a", privateKey: rsa.pem, algorithm: "ES256" }],
      [{ kid: "a", privateKey: "a-shared-secret-of-some-length" }],
    ];
    const secrets = secretsOf(
      bad.rsa1024Pem,
      bad.rsa1024Jwk,
      bad.ed25519Pem,
      bad.pkcs1Pem,
      bad.encryptedPem,
      rsa.pem,
      rsa.jwk,
    );
    secrets.push("a-shared-secret");
    expect(secrets.length).toBeGreaterThan(20);
    for (const keys of inputs) {
      const { message } = await refusal(keys);
      for (const secret of secrets) expect(message).not.toContain(secret);
    }
  });
});

describe("the JWKS publishes public members only", () => {
  const forms = (k: () => KeyForms): [string, () => IssuerKeyOptions][] => [
    ["a PKCS#8 PEM", () => ({ kid: "k", privateKey: k().pem })],
    [
      "a full private JWK (object)",
      () => ({ kid: "k", privateKey: { ...k().jwk, use: "sig", key_ops: ["sign"] } as JsonWebKey }),
    ],
    ["a full private JWK (JSON text)", () => ({ kid: "k", privateKey: JSON.stringify(k().jwk) })],
    ["an extractable CryptoKey", () => ({ kid: "k", privateKey: k().privateKey })],
    [
      "a PEM from an environment variable (literal \\n)",
      () => ({ kid: "k", privateKey: k().pem.replace(/\n/g, "\\n") }),
    ],
  ];
  for (const [alg, members, get] of [
    ["RS256", ["kty", "n", "e", "kid", "alg", "use"], () => rsa],
    ["ES256", ["kty", "crv", "x", "y", "kid", "alg", "use"], () => ec],
  ] as const) {
    it.each(forms(get))(`${alg} from %s`, async (_name, key) => {
      const issuer = await createIssuer({ ...base, keys: [key()] });
      const [published] = issuer.jwks().keys;
      expect(Object.keys(published!).sort()).toEqual([...members].sort());
      expect(published).toMatchObject({ kid: "k", alg, use: "sig" });
      const body = await jwksHandler(issuer)(new Request("https://auth.test/.well-known/jwks.json")).text();
      expect(body).not.toMatch(PRIVATE_MEMBER);
      for (const secret of secretsOf(get().jwk)) expect(body).not.toContain(secret);
      expect(JSON.parse(body)).toEqual(issuer.jwks());
    });
  }

  it("a non-extractable CryptoKey needs its publicKey, and then publishes it", async () => {
    const { subtle } = globalThis.crypto;
    const pair = (await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, [
      "sign",
      "verify",
    ])) as CryptoKeyPair;
    expect((await refusal([{ kid: "k", privateKey: pair.privateKey }])).message).toMatch(
      /`keys\[0\]\.publicKey` is needed: `keys\[0\]\.privateKey` is a non-extractable CryptoKey/,
    );
    const issuer = await createIssuer({
      ...base,
      keys: [{ kid: "k", privateKey: pair.privateKey, publicKey: pair.publicKey }],
    });
    expect(issuer.jwks().keys[0]).toMatchObject({ kty: "EC", crv: "P-256", kid: "k" });
    await expect(issuer.mint("u")).resolves.toMatchObject({ kid: "k" });
  });
});
