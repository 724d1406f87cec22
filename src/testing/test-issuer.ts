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
import { signToken, tokenHeader, tokenPayload } from "../issuer/token-claims";
import type { CustomJwtProvider } from "./convex-deployment";
import { trackIo } from "./io-activity";
import { startTokenEndpoint, type TokenEndpoint, type TokenEndpointOptions } from "./token-endpoint";

/** Per-token overrides for {@link TestIssuer.mint}. `null` always means "omit the claim / header". */
export interface MintOptions {
  /** `sub` claim. Default: the issuer's current {@link TestIssuer.subject}. `null` omits it. */
  sub?: string | null;
  /** Lifetime in seconds used for the default `exp`. Default: the issuer's `lifetimeSec` (900). */
  lifetimeSec?: number;
  /** `iat` in seconds. Default: now on the issuer clock. `null` omits it. */
  iat?: number | null;
  /** `exp` in seconds. Default: `iat + lifetimeSec` (or now + lifetime when `iat` is omitted). `null` omits it. */
  exp?: number | null;
  /** `aud` claim. Default: the issuer's `applicationID`. `null` omits it. */
  aud?: string | string[] | null;
  /** `iss` claim. Default: the issuer's `issuer`. `null` omits it. */
  iss?: string | null;
  /** Header `kid`. Default: the current key's kid. `null` omits it. Any string is used verbatim (the token is ' +
    'still signed with the current key). */
  kid?: string | null;
  /** Extra claims, merged last: they can override anything above (e.g. a non-string `sub`, or `nbf`). */
  claims?: Record<string, unknown>;
}

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

/** A key as the production signer imports it (`convex-custom-jwt/issuer`): its public JWK and signing key. */
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
  if (alg !== "RS256" && alg !== "ES256") {
    throw new TypeError(
      `createTestIssuer: \`algorithm\` must be "RS256" or "ES256" (the two Convex accepts), got ` +
        `${JSON.stringify(alg)}.`,
    );
  }
  const defaultLifetimeSec = opts.lifetimeSeconds ?? opts.lifetimeSec ?? 900;
  if (!(defaultLifetimeSec > 0)) {
    throw new TypeError(
      `createTestIssuer: \`lifetimeSeconds\` must be a positive number of seconds, got ${String(defaultLifetimeSec)}.`,
    );
  }
  let keySeq = 0;
  const newKey = async (): Promise<SigningKey> => {
    // RSA key generation takes ~100 ms of real time; track it so pump() waits.
    const { privateKey } = await trackIo(generateKeyPair(alg, { extractable: true }));
    const kid = `key-${++keySeq}-${randomUUID().slice(0, 8)}`;
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
    issuer: opts.issuer ?? "https://issuer.test",
    applicationID: opts.applicationID ?? "convex",
    alg,
    algorithm: alg,
    lifetimeSeconds: defaultLifetimeSec,
    get kid() {
      return current.kid;
    },
    subject: opts.subject ?? "user_1",
    now: opts.now ?? (() => Date.now()),

    async mint(m: MintOptions = {}) {
      const lifetime = m.lifetimeSec ?? defaultLifetimeSec;
      // The production signer's header and claims (convex-custom-jwt/issuer), then the knobs on top.
      const base = tokenPayload({
        issuer: issuer.issuer,
        applicationID: issuer.applicationID,
        subject: issuer.subject,
        nowMs: issuer.now(),
        lifetimeSec: lifetime,
      });
      const iat = m.iat === undefined ? (base.iat as number) : m.iat;
      const exp = m.exp === undefined ? (iat ?? (base.iat as number)) + lifetime : m.exp;
      const knobs: Record<string, unknown> = { iat, exp };
      if (m.iss !== undefined) knobs.iss = m.iss;
      if (m.sub !== undefined) knobs.sub = m.sub;
      if (m.aud !== undefined) knobs.aud = m.aud;
      const payload = dropNulls({ ...base, ...knobs, ...m.claims });
      const header = dropNulls({ ...tokenHeader(alg, current.kid), kid: m.kid === undefined ? current.kid : m.kid });
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

function dropNulls(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== null && v !== undefined));
}
