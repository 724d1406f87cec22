/**
 * A local JWT issuer for tests: real RS256/ES256 keys (jose), a JWKS, key rotation, the matching
 * `customJwt` provider, a localhost server for the JWKS and a token endpoint, and full control over
 * every claim so tests can mint exactly the broken token they need. It does not import any test framework.
 *
 * It is the production signer (`convex-custom-jwt/issuer`: the same key import and public JWK, the same
 * header and claims, the same signing call) plus its knobs for broken tokens and naive rotations, so the two
 * cannot drift.
 *
 * @module
 */
import { generateKeyPair } from "jose";
import { randomUUID } from "node:crypto";
import { importIssuerKey } from "../issuer/import-key";
import { signToken } from "../issuer/sign-token";
import { tokenHeader } from "../issuer/token-claims";
import { isSupportedAlgorithm, type CustomJwtProvider } from "../server/custom-jwt-provider";
import { trackIo } from "./io-activity";
import { DEFAULT_CLAIMS, mintClaims, withoutNulls, type MintOptions } from "./mint-claims";
import { startTokenEndpoint, type TokenEndpoint, type TokenEndpointOptions } from "./token-endpoint";

export type { MintOptions };

/** A JWT issuer with its own signing keys; see {@link createTestIssuer}. */
export interface TestIssuer {
  /** Value of the `iss` claim, e.g. `https://issuer.test`. */
  readonly issuer: string;
  /** Value of the `aud` claim (Convex's `applicationID`), e.g. `convex`. */
  readonly applicationID: string;
  /** Signing algorithm of every key this issuer creates. */
  readonly algorithm: "RS256" | "ES256";
  /** Same as {@link TestIssuer.algorithm} (older name). */
  readonly alg: "RS256" | "ES256";
  /** Default token lifetime in seconds. */
  readonly lifetimeSeconds: number;
  /** kid of the current signing key (changes on {@link rotateKey}). */
  readonly kid: string;
  /** Who the next token is for. Mutable on purpose ("switch user"). */
  subject: string;
  /** Mint a signed JWT. Every token carries a random `jti`, so two tokens are never byte-identical. */
  mint(opts?: MintOptions): Promise<string>;
  /**
   * Sign `claims` on top of correct defaults: `iss`, `aud` (= `applicationID`), `sub`, `iat` (now) and
   * `exp` (now + `lifetimeSeconds`), plus a random `jti`. A claim set to `null` is left out.
   *
   * @example
   * const token = await issuer.sign({ sub: "user_2", org: { id: "o1" } });
   * const expired = await issuer.sign({ exp: Math.floor(Date.now() / 1000) - 60 });
   */
  sign(claims?: Record<string, unknown>): Promise<string>;
  /**
   * The `customJwt` provider entry for `convex/auth.config.ts` that accepts this issuer's tokens. Its
   * `jwks` is a `data:` URL of the current keys (Convex accepts those), so it works with no server at all;
   * {@link TestIssuer.serve} gives one with an HTTP JWKS URL instead.
   */
  readonly provider: CustomJwtProvider;
  /**
   * Serve this issuer on 127.0.0.1: the JWKS (`application/json`, `Cache-Control: max-age=60` by
   * default) and a token endpoint. Close it with `close()`.
   */
  serve(opts?: TokenEndpointOptions): Promise<ServedTestIssuer>;
  /** Public keys, each with `kid`, `alg` and `use: "sig"`. A fresh copy on every call. */
  jwks(): { keys: Record<string, unknown>[] };
  /** Create a new signing key (new kid). The old public key stays in {@link jwks} only with `keepOld: true`. */
  rotateKey(opts?: { keepOld?: boolean }): Promise<void>;
  /** Clock in milliseconds. Default `() => Date.now()`, looked up at call time so fake timers apply. */
  now: () => number;
}

/** A {@link TestIssuer} served over HTTP: the token endpoint plus the provider pointing at its JWKS URL. */
export interface ServedTestIssuer extends TokenEndpoint {
  /** The `customJwt` provider with `jwks` set to {@link TokenEndpoint.jwksUrl}. */
  readonly provider: CustomJwtProvider;
}

/** Options for {@link createTestIssuer}; every field has a default. */
export interface TestIssuerOptions {
  /** The `iss` claim. Default `https://issuer.test`. */
  issuer?: string;
  /** The `aud` claim (Convex's `applicationID`). Default `convex`. */
  applicationID?: string;
  /** Signing algorithm. Default `RS256`. */
  algorithm?: "RS256" | "ES256";
  /** Same as `algorithm` (older name). */
  alg?: "RS256" | "ES256";
  /** Default token lifetime, in seconds. Default 900 (15 minutes). */
  lifetimeSeconds?: number;
  /** Same as `lifetimeSeconds` (older name). */
  lifetimeSec?: number;
  /** Initial subject. Default `user_1`. */
  subject?: string;
  /** Clock in milliseconds. Default `() => Date.now()` (resolved at call time). */
  now?: () => number;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: Record<string, unknown>;
}

/**
 * Create a {@link TestIssuer} with one freshly generated key.
 *
 * @example
 * const issuer = await createTestIssuer({ issuer: "https://auth.test", applicationID: "convex", algorithm: "ES256" });
 * const token = await issuer.sign();                          // valid for 15 min
 * const stale = await issuer.mint({ exp: nowSec - 60 });      // expired a minute ago
 * const server = await issuer.serve();                        // server.provider → convex/auth.config.ts
 * await server.close();
 */
export async function createTestIssuer(opts: TestIssuerOptions = {}): Promise<TestIssuer> {
  const alg = opts.algorithm ?? opts.alg ?? "RS256";
  if (!isSupportedAlgorithm(alg)) {
    throw new TypeError(
      `createTestIssuer: \`${opts.algorithm === undefined ? "alg" : "algorithm"}\` must be "RS256" or "ES256" (the ` +
        `two algorithms a Convex customJwt provider accepts), got ${JSON.stringify(alg)}. Pass one of them.`,
    );
  }
  const defaultLifetimeSec = opts.lifetimeSeconds ?? opts.lifetimeSec ?? DEFAULT_CLAIMS.lifetimeSeconds;
  if (!(defaultLifetimeSec > 0)) {
    throw new TypeError(
      `createTestIssuer: \`${opts.lifetimeSeconds === undefined ? "lifetimeSec" : "lifetimeSeconds"}\` must be a ` +
        `positive number of seconds, got ${String(defaultLifetimeSec)}. Pass the tokens' lifetime, e.g. 900.`,
    );
  }
  let keySeq = 0;
  const newKey = async (): Promise<SigningKey> => {
    // RSA key generation takes ~100 ms of real time; track it so pump() waits.
    const { privateKey } = await trackIo(generateKeyPair(alg, { extractable: true }));
    const kid = `key-${++keySeq}-${randomUUID().slice(0, 8)}`;
    // The production import: the same public JWK (an allowlist of public members) and signing key.
    const imported = await trackIo(importIssuerKey({ kid, privateKey }, 0));
    return { kid, privateKey: imported.privateKey!, publicJwk: { ...imported.publicJwk } };
  };

  const providerFor = (jwks: string): CustomJwtProvider => ({
    type: "customJwt",
    issuer: issuer.issuer,
    jwks,
    applicationID: issuer.applicationID,
    algorithm: alg,
  });

  let current = await newKey();
  let published: SigningKey[] = [current];

  const issuer: TestIssuer = {
    issuer: opts.issuer ?? DEFAULT_CLAIMS.issuer,
    applicationID: opts.applicationID ?? DEFAULT_CLAIMS.applicationID,
    alg,
    algorithm: alg,
    lifetimeSeconds: defaultLifetimeSec,
    get kid() {
      return current.kid;
    },
    subject: opts.subject ?? DEFAULT_CLAIMS.subject,
    now: opts.now ?? (() => Date.now()),

    async mint(m: MintOptions = {}) {
      const payload = mintClaims(issuer, issuer.now(), m, randomUUID());
      const header = withoutNulls({ ...tokenHeader(alg, current.kid), kid: m.kid === undefined ? current.kid : m.kid });
      // Signed as is (no claim added or checked) so tests can produce any claim shape, even ones jose would refuse.
      return trackIo(signToken(header, payload, current.privateKey));
    },

    sign(claims = {}) {
      return issuer.mint({ claims });
    },

    get provider() {
      const data = Buffer.from(JSON.stringify(issuer.jwks())).toString("base64");
      return providerFor(`data:application/json;base64,${data}`);
    },

    async serve(serveOpts) {
      const endpoint = await startTokenEndpoint(issuer, serveOpts);
      return Object.assign(endpoint, { provider: providerFor(endpoint.jwksUrl) });
    },

    jwks() {
      return { keys: published.map((k) => ({ ...k.publicJwk })) };
    },

    async rotateKey({ keepOld = false } = {}) {
      const next = await newKey();
      published = keepOld ? [...published, next] : [next];
      current = next;
    },
  };
  return issuer;
}
