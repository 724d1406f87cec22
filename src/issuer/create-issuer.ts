/**
 * `createIssuer`: the signer. It mints tokens with exactly what Convex checks, publishes the JWKS, and rotates
 * keys as a pure function of time (see rotation.ts), refusing at start a key list that cannot rotate safely.
 *
 * @module
 */
import { providerIssuerUrl } from "../core/issuer";
import { CLIENT_REFRESH_LEEWAY_SECONDS } from "../server/backend-rules";
import { customJwtProvider, type CustomJwtProvider } from "../server/custom-jwt-provider";
import { importIssuerKey, type ImportedKey, type PublicJwk } from "./import-key";
import { fail, resolveKeyTimes, resolvePolicy, type IssuerAlgorithm, type IssuerOptions } from "./options";
import { newestKeyPublishedAt, publishedKeysAt, rotationWindows, signingKeyAt, type KeyWindow } from "./rotation";
import { signToken } from "./sign-token";
import { checkCustomClaims, tokenHeader, tokenPayload } from "./token-claims";

/**
 * `mint()` has no key to sign with at this instant: the clock is before the first key's `signFrom`, or this
 * instance holds only the public half of the key that signs now.
 */
export class SigningKeyError extends Error {
  override name = "SigningKeyError";
  readonly code = "ERR_SIGNING_KEY_UNAVAILABLE";
}

/** Options of {@link Issuer.mint}. */
export interface MintOptions {
  /**
   * Custom claims (nested objects reach Convex as dotted keys, `"org.id"`). Not `iss`, `sub`, `aud`, `iat`,
   * `exp`, `nbf` or `jti`: the issuer sets those.
   */
  claims?: Record<string, unknown>;
  /** A shorter lifetime for this token, in seconds (more than 10, at most the issuer's `lifetimeSec`). */
  lifetimeSec?: number;
}

/** A minted token. */
export interface MintedToken {
  /** The JWT. Never log it whole. */
  token: string;
  /** Its `exp`, in epoch milliseconds. */
  expiresAt: number;
  /** The `kid` that signed it. */
  kid: string;
}

/** One key's place in the rotation, in epoch milliseconds (`-Infinity`: since always; `Infinity`: never). */
export interface KeySchedule {
  kid: string;
  publishFrom: number;
  signFrom: number;
  signUntil: number;
  unpublishAt: number;
}

/** A JWT issuer for Convex; see {@link createIssuer}. */
export interface Issuer {
  /** The tokens' `iss`. */
  readonly issuer: string;
  /** The tokens' `aud` (the provider's `applicationID`). */
  readonly applicationID: string;
  /** The algorithm every key signs with. */
  readonly algorithm: IssuerAlgorithm;
  /** Token lifetime, in seconds. */
  readonly lifetimeSec: number;
  /** The JWKS's `Cache-Control: max-age`, in seconds. */
  readonly jwksMaxAgeSec: number;
  /** Mint a token for `subject` (the user's id, `sub`) with the key that signs now. */
  mint(subject: string, options?: MintOptions): Promise<MintedToken>;
  /** The JWKS at `at` (epoch ms, default now): public members only. A fresh copy on every call. */
  jwks(at?: number): { keys: PublicJwk[] };
  /**
   * Since when the JWKS has held every key it publishes at `at` (epoch ms, default now): the newest key's
   * `publishFrom`, or `undefined` when all are published since always. Served as `Last-Modified`.
   */
  jwksLastModified(at?: number): number | undefined;
  /** The `kid` that signs at `at` (epoch ms, default now). */
  signingKid(at?: number): string;
  /** Every key's publish and signing window, in list order. */
  schedule(): KeySchedule[];
  /** The `customJwt` entry of `convex/auth.config.ts` for tokens of this issuer, with its JWKS at `jwks`. */
  provider(jwks: string): CustomJwtProvider;
  /** The issuer's clock, epoch milliseconds. */
  now(): number;
}

function checkIssuerUrl(issuer: string) {
  let url: URL | undefined;
  try {
    url = new URL(providerIssuerUrl(issuer));
  } catch {
    url = undefined;
  }
  if (!url || url.username || url.password) {
    fail("issuer", "must be a URL such as https://auth.example.com, without credentials (the tokens' `iss`).");
  }
}

async function importAll(options: IssuerOptions): Promise<ImportedKey[]> {
  const settled = await Promise.allSettled(options.keys.map((key, i) => importIssuerKey(key, i)));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failure) throw failure.reason;
  const keys = settled.map((s) => (s as PromiseFulfilledResult<ImportedKey>).value);
  const first = keys[0]!;
  keys.forEach((key, i) => {
    if (key.algorithm !== first.algorithm) {
      fail(
        `keys[${i}].algorithm`,
        `is ${key.algorithm} but keys[0] is ${first.algorithm}: a Convex provider has one \`algorithm\`, ` +
          `so every key of an issuer signs with it. Rotate to a ${first.algorithm} key.`,
      );
    }
  });
  return keys;
}

function checkSigners(keys: ImportedKey[], windows: KeyWindow[], now: number) {
  if (!signingKeyAt(windows, now)) {
    fail(
      "keys[0].signFrom",
      `is ${new Date(windows[0]!.signFrom).toISOString()}, in the future: no key signs now. Leave it out (the first ` +
        "key signs from the start), or set it in the past.",
    );
  }
  // An instance that signs must hold every key it will sign with, or the rotation day is an outage.
  const signer = keys.findIndex((k) => k.privateKey);
  if (signer < 0) return;
  windows.forEach((w, i) => {
    if (w.signUntil > now && !keys[i]!.privateKey) {
      fail(
        `keys[${i}].privateKey`,
        `is missing: this instance signs (keys[${signer}] has a privateKey) and keys[${i}] (kid ` +
          `${JSON.stringify(w.kid)}) signs from ${new Date(w.signFrom).toISOString()}. Give it its privateKey.`,
      );
    }
  });
}

/**
 * Create the signer for your token endpoint: it mints tokens with exactly what Convex checks (header `kid`,
 * `alg`, `typ: "JWT"`; `iss`, `aud` = `applicationID`, `sub`, `iat`, `exp`, a random `jti`; your custom
 * claims), serves the JWKS, and rotates keys as a pure function of time: every instance, with no shared
 * state, agrees which key signs and which keys are published at any instant. A key is published at least
 * `jwksMaxAgeSec + rotationMarginSec` before it signs, and a retired key stays published until its last
 * token has expired plus the same. A key list that cannot rotate safely, or a key Convex does not accept
 * (HS256, EdDSA, RSA under 2048 bits, a duplicate `kid`…), is a `TypeError` naming the option.
 *
 * @example
 * import { createIssuer } from "convex-custom-jwt/issuer";
 *
 * const issuer = await createIssuer({
 *   issuer: "https://auth.example.com",
 *   applicationID: "convex",
 *   keys: [
 *     { kid: "2025-01", privateKey: process.env.JWT_KEY_2025_01! },
 *     // Rotating: added on June 1st, signs from June 2nd. The JWKS publishes it from June 1st.
 *     { kid: "2025-06", privateKey: process.env.JWT_KEY_2025_06!, publishFrom: "2025-06-01T00:00:00Z",
 *       signFrom: "2025-06-02T00:00:00Z" },
 *   ],
 * });
 * const { token, expiresAt } = await issuer.mint("user_42", { claims: { role: "admin" } });
 */
export async function createIssuer(options: IssuerOptions): Promise<Issuer> {
  const policy = resolvePolicy(options);
  checkIssuerUrl(options.issuer);
  const times = resolveKeyTimes(options.keys, policy);
  const windows = rotationWindows(times, policy);
  const keys = await importAll(options);
  const clock = options.clock ?? { now: () => Date.now() };
  const now = () => clock.now();
  checkSigners(keys, windows, now());
  const { issuer, applicationID } = options;
  const algorithm = keys[0]!.algorithm;
  const { lifetimeSec } = policy;

  const signerAt = (at: number): ImportedKey => {
    const w = signingKeyAt(windows, at);
    if (!w) {
      throw new SigningKeyError(
        `Issuer.mint: no key signs at ${new Date(at).toISOString()}, before keys[0].signFrom: check this server's ` +
          "clock, or the first key's signFrom.",
      );
    }
    return keys[w.index]!;
  };

  return {
    issuer,
    applicationID,
    algorithm,
    lifetimeSec,
    jwksMaxAgeSec: policy.jwksMaxAgeSec,
    now,
    async mint(subject, mintOptions = {}) {
      if (typeof subject !== "string" || subject === "") {
        throw new TypeError(
          `Issuer.mint: \`subject\` must be the user's id, a non-empty string, got ${String(subject)}.`,
        );
      }
      const claims = checkCustomClaims("Issuer.mint: `options.claims`", mintOptions.claims);
      const lifetime = mintOptions.lifetimeSec ?? lifetimeSec;
      if (!(lifetime > CLIENT_REFRESH_LEEWAY_SECONDS && lifetime <= lifetimeSec)) {
        throw new TypeError(
          `Issuer.mint: \`options.lifetimeSec\` must be more than 10 and at most the issuer's lifetimeSec ` +
            `(${lifetimeSec}), got ${String(mintOptions.lifetimeSec)}: the rotation keeps retired keys published for ` +
            "that long.",
        );
      }
      const at = now();
      const key = signerAt(at);
      if (!key.privateKey) {
        throw new SigningKeyError(
          `Issuer.mint: kid ${JSON.stringify(key.kid)} signs now, but this instance has only its public key: mint on ` +
            "an instance given its privateKey.",
        );
      }
      const payload = tokenPayload({ issuer, applicationID, subject, nowMs: at, lifetimeSec: lifetime, claims });
      const token = await signToken(tokenHeader(algorithm, key.kid), payload, key.privateKey);
      return { token, expiresAt: (payload.exp as number) * 1000, kid: key.kid };
    },
    jwks(at = now()) {
      return { keys: publishedKeysAt(windows, at).map((w) => ({ ...keys[w.index]!.publicJwk })) };
    },
    jwksLastModified(at = now()) {
      return newestKeyPublishedAt(windows, at);
    },
    signingKid(at = now()) {
      return signerAt(at).kid;
    },
    schedule() {
      return windows.map(({ kid, publishFrom, signFrom, signUntil, unpublishAt }) => ({
        kid,
        publishFrom,
        signFrom,
        signUntil,
        unpublishAt,
      }));
    },
    provider(jwks) {
      return customJwtProvider({ issuer, jwks, applicationID, algorithm });
    },
  };
}
