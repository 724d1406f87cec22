/**
 * A local JWT issuer for tests: real RS256/ES256 keys (jose), a JWKS, key
 * rotation, and full control over every claim so tests can mint exactly the
 * broken token they need.
 *
 * Also home of the tiny I/O activity registry that `time.ts` uses to know when
 * loopback I/O has settled (see {@link ioActivity}); it lives here because this
 * is the one support module every other one already depends on, and it must not
 * import vitest (the issuer is usable from plain `tsx` scripts too).
 */
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { randomUUID } from "node:crypto";

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
  /** Header `kid`. Default: the current key's kid. `null` omits it. Any string is used verbatim (the token is still signed with the current key). */
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
  readonly alg: "RS256" | "ES256";
  /** kid of the current signing key (changes on {@link rotateKey}). */
  readonly kid: string;
  /** Who the next token is for. Mutable on purpose ("switch user"). */
  subject: string;
  /** Mint a signed JWT. Every token carries a random `jti`, so two tokens are never byte-identical. */
  mint(opts?: MintOptions): Promise<string>;
  /** Public keys, each with `kid`, `alg` and `use: "sig"`. A fresh copy on every call. */
  jwks(): { keys: Record<string, unknown>[] };
  /** Create a new signing key (new kid). The old public key stays in {@link jwks} only with `keepOld: true`. */
  rotateKey(opts?: { keepOld?: boolean }): Promise<void>;
  /** Clock in milliseconds. Default `() => Date.now()`, looked up at call time so fake timers apply. */
  now: () => number;
}

/** Options for {@link createTestIssuer}; every field has a default. */
export interface TestIssuerOptions {
  /** Default `https://issuer.test`. */
  issuer?: string;
  /** Default `convex`. */
  applicationID?: string;
  /** Default `RS256`. */
  alg?: "RS256" | "ES256";
  /** Default token lifetime in seconds. Default 900. */
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
 * const issuer = await createTestIssuer();
 * const token = await issuer.mint();                       // valid for 15 min
 * const stale = await issuer.mint({ exp: nowSec - 60 });   // expired a minute ago
 */
export async function createTestIssuer(opts: TestIssuerOptions = {}): Promise<TestIssuer> {
  const alg = opts.alg ?? "RS256";
  const defaultLifetimeSec = opts.lifetimeSec ?? 900;
  let keySeq = 0;
  const newKey = async (): Promise<SigningKey> => {
    // RSA key generation takes ~100 ms of real time; track it so pump() waits.
    const { publicKey, privateKey } = await trackIo(generateKeyPair(alg, { extractable: true }));
    const kid = `key-${++keySeq}-${randomUUID().slice(0, 8)}`;
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
    return { kid, privateKey, publicJwk };
  };

  let current = await newKey();
  let published: SigningKey[] = [current];

  const issuer: TestIssuer = {
    issuer: opts.issuer ?? "https://issuer.test",
    applicationID: opts.applicationID ?? "convex",
    alg,
    get kid() {
      return current.kid;
    },
    subject: opts.subject ?? "user_1",
    now: opts.now ?? (() => Date.now()),

    async mint(m: MintOptions = {}) {
      const nowSec = Math.floor(issuer.now() / 1000);
      const lifetime = m.lifetimeSec ?? defaultLifetimeSec;
      const iat = m.iat === undefined ? nowSec : m.iat;
      const exp = m.exp === undefined ? (iat ?? nowSec) + lifetime : m.exp;
      const registered: Record<string, unknown> = {
        iss: m.iss === undefined ? issuer.issuer : m.iss,
        sub: m.sub === undefined ? issuer.subject : m.sub,
        aud: m.aud === undefined ? issuer.applicationID : m.aud,
        iat,
        exp,
        jti: randomUUID(),
      };
      const payload = dropNulls({ ...registered, ...m.claims });
      const header = dropNulls({ alg, typ: "JWT", kid: m.kid === undefined ? current.kid : m.kid });
      // The payload is passed raw (no setIssuedAt()/setExpirationTime()) so tests
      // can produce any claim shape, including ones jose itself would refuse.
      return trackIo(
        new SignJWT(payload)
          .setProtectedHeader(header as { alg: string })
          .sign(current.privateKey),
      );
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

/**
 * A synchronous, UNSIGNED JWT for fast unit/property tests: the signature
 * segment is junk, so only decoders that don't verify (jwt-decode, Convex's
 * client) accept it. The default header is `{ alg: "RS256", typ: "JWT" }`.
 */
export function unsignedJwt(
  payload: Record<string, unknown>,
  header: Record<string, unknown> = { alg: "RS256", typ: "JWT" },
): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${part(header)}.${part(payload)}.${Buffer.from("unsigned").toString("base64url")}`;
}

function dropNulls(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== null && v !== undefined));
}

// ---------------------------------------------------------------------------
// I/O activity registry (shared by every support module through globalThis)
// ---------------------------------------------------------------------------

/**
 * Counters of real asynchronous work done by the test support servers and the
 * issuer. `time.ts` treats loopback I/O as settled when `events` stops changing
 * and `pending` is 0. It is a process-wide singleton (keyed on globalThis) so
 * that several copies of these modules still share one registry.
 */
export interface IoActivity {
  /** Bumped whenever something happens (a request or message arrives, work starts or ends). */
  events: number;
  /** Work that has started and will finish by itself without fake time passing. */
  pending: number;
}

const IO_KEY = Symbol.for("convex-custom-jwt/test-support/io-activity");

/** The shared {@link IoActivity} registry. */
export function ioActivity(): IoActivity {
  const g = globalThis as { [IO_KEY]?: IoActivity };
  return (g[IO_KEY] ??= { events: 0, pending: 0 });
}

/** Mark that something happened (no completion to wait for). */
export function noteIo(): void {
  ioActivity().events++;
}

/** Count `work` as pending until it settles, so `pump()` waits for it. */
export async function trackIo<T>(work: Promise<T>): Promise<T> {
  const io = ioActivity();
  io.events++;
  io.pending++;
  try {
    return await work;
  } finally {
    io.pending--;
    io.events++;
  }
}
