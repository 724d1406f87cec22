/**
 * The options of `createIssuer`, their defaults, and their validation: every bad value is a `TypeError` that
 * names the option by its full path (`keys[1].signFrom`) and says what Convex accepts.
 *
 * @module
 */
import { CLIENT_REFRESH_LEEWAY_SECONDS, LEEWAY_SECONDS } from "../server/backend-rules";
import { publishLeadMs, rotationProblems, type KeyTimes, type RotationPolicy } from "./rotation";

/** The two algorithms a Convex `customJwt` provider accepts. */
export type IssuerAlgorithm = "RS256" | "ES256";

/** An instant: a `Date`, epoch milliseconds, or an ISO 8601 string with a time zone (`"2025-07-01T00:00:00Z"`). */
export type Instant = Date | number | string;

/** A private or public key as the app holds it. */
export type KeyMaterial = string | JsonWebKey | CryptoKey;

/** One signing key of {@link IssuerOptions.keys}. */
export interface IssuerKeyOptions {
  /** The key's id: the tokens' header `kid` and the JWKS entry's `kid`. Unique in the list. */
  kid: string;
  /**
   * The private key: a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`; literal `\n` from an environment variable
   * are read as newlines), a private JWK (object or JSON text), or a `CryptoKey`. RSA (2048 bits or more) for
   * RS256, EC P-256 for ES256. Leave it out on an instance that only serves the JWKS (then give `publicKey`).
   */
  privateKey?: KeyMaterial;
  /**
   * The public key (an SPKI PEM, a public JWK, or a `CryptoKey`). Needed only when it cannot be derived from
   * `privateKey` (a non-extractable `CryptoKey`), or when `privateKey` is left out.
   */
  publicKey?: KeyMaterial;
  /** `"RS256"` or `"ES256"`. Default: from the key (RSA → RS256, EC P-256 → ES256, or the JWK's `alg`). */
  algorithm?: IssuerAlgorithm;
  /**
   * When the key is added to the JWKS. Default: `signFrom` minus `jwksMaxAgeSec + rotationMarginSec`; for the
   * first key with no `signFrom`, since always. Deploy the key before this instant.
   */
  publishFrom?: Instant;
  /**
   * When the key starts signing (until the next key's `signFrom`). Default: `publishFrom` plus
   * `jwksMaxAgeSec + rotationMarginSec`, the earliest safe instant; for the first key, since always.
   */
  signFrom?: Instant;
}

/** Options of `createIssuer`. */
export interface IssuerOptions {
  /** The tokens' `iss`, and the provider's `issuer` in `convex/auth.config.ts` (e.g. `https://auth.example.com`). */
  issuer: string;
  /** The tokens' `aud`, and the provider's `applicationID` (e.g. `"convex"`). */
  applicationID: string;
  /** The signing keys, in the order they start signing. One key is enough; add one to rotate. */
  keys: readonly IssuerKeyOptions[];
  /** Token lifetime (`exp − iat`), in seconds; more than 10. @default 900 (15 minutes) */
  lifetimeSec?: number;
  /** The JWKS's `Cache-Control: max-age`, in seconds: how long Convex may keep a copy. @default 300 */
  jwksMaxAgeSec?: number;
  /** Extra seconds on both rotation rules, for clocks that disagree. @default 60 */
  rotationMarginSec?: number;
  /** The clock (epoch milliseconds), looked up at call time. @default Date.now */
  clock?: { now(): number };
}

/** The scalar options, resolved. */
export interface ResolvedPolicy extends RotationPolicy {
  lifetimeSec: number;
  jwksMaxAgeSec: number;
  rotationMarginSec: number;
}

const where = "createIssuer";
const ACCEPTS = 'Convex\'s customJwt accepts "RS256" and "ES256" only';

export function fail(path: string, message: string): never {
  throw new TypeError(`${where}: \`${path}\` ${message}`);
}

function seconds(path: string, value: unknown, fallback: number, check: (n: number) => string | undefined): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value))
    fail(path, `must be a number of seconds, got ${String(value)}.`);
  const problem = check(value);
  if (problem) fail(path, problem);
  return value;
}

/** Validate and default the scalar options. */
export function resolvePolicy(options: IssuerOptions): ResolvedPolicy {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`${where}: pass an options object: { issuer, applicationID, keys }.`);
  }
  for (const name of ["issuer", "applicationID"] as const) {
    const value = options[name];
    if (typeof value !== "string" || value.trim() === "") {
      fail(
        name,
        `must be a non-empty string, got ${String(value)} (the provider's \`${name}\` in ` +
          "convex/auth.config.ts; if it comes from an environment variable, set it on this server).",
      );
    }
  }
  const lifetimeSec = seconds("lifetimeSec", options.lifetimeSec, 900, (n) =>
    n > CLIENT_REFRESH_LEEWAY_SECONDS
      ? undefined
      : `must be more than ${CLIENT_REFRESH_LEEWAY_SECONDS} s, got ${n}: Convex's client refetches a token ` +
        `${CLIENT_REFRESH_LEEWAY_SECONDS} s before it expires, so a shorter one is refetched in a loop.`,
  );
  const jwksMaxAgeSec = seconds("jwksMaxAgeSec", options.jwksMaxAgeSec, 300, (n) =>
    Number.isInteger(n) && n >= 1
      ? undefined
      : `must be a whole number of seconds, at least 1, got ${n}: without caching Convex fetches the JWKS for ` +
        "every token it validates.",
  );
  const rotationMarginSec = seconds("rotationMarginSec", options.rotationMarginSec, 60, (n) =>
    n >= 0 ? undefined : `must be 0 or more, got ${n}.`,
  );
  if (options.clock !== undefined && typeof options.clock?.now !== "function") {
    fail("clock", "must be an object with a now() method returning epoch milliseconds (like Date.now).");
  }
  return {
    lifetimeSec,
    jwksMaxAgeSec,
    rotationMarginSec,
    jwksMaxAgeMs: jwksMaxAgeSec * 1000,
    marginMs: rotationMarginSec * 1000,
    maxLifetimeMs: lifetimeSec * 1000,
    expiryLeewayMs: LEEWAY_SECONDS * 1000,
  };
}

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

/** An {@link Instant} as epoch milliseconds, or `undefined` when left out. */
export function parseInstant(path: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const ms =
    value instanceof Date
      ? value.getTime()
      : typeof value === "number"
        ? value
        : typeof value === "string" && ISO_WITH_ZONE.test(value.trim())
          ? Date.parse(value.trim())
          : Number.NaN;
  if (!Number.isFinite(ms)) {
    fail(
      path,
      "must be a Date, epoch milliseconds, or an ISO 8601 string with a time zone such as " +
        `"2025-07-01T00:00:00Z", got ` +
        `${JSON.stringify(value instanceof Date ? "Invalid Date" : value)}. A time without a zone is read in each ` +
        "server's own zone, and instances must agree.",
    );
  }
  return ms;
}

/** Check the list's shape (non-empty, unique kids) and resolve each key's times; refuse an unsafe rotation. */
export function resolveKeyTimes(keys: unknown, policy: RotationPolicy): KeyTimes[] {
  if (!Array.isArray(keys) || keys.length === 0) {
    fail(
      "keys",
      "must be a non-empty array of signing keys ({ kid, privateKey }), got " +
        `${Array.isArray(keys) ? "[]" : String(keys)}. ` +
        `${ACCEPTS}: an RSA key of 2048 bits or more, or an EC P-256 key.`,
    );
  }
  const lead = publishLeadMs(policy);
  const seen = new Map<string, number>();
  const times = keys.map((key: IssuerKeyOptions, i): KeyTimes => {
    if (typeof key !== "object" || key === null) fail(`keys[${i}]`, "must be an object: { kid, privateKey }.");
    if (typeof key.kid !== "string" || key.kid === "") {
      fail(`keys[${i}].kid`, `must be a non-empty string (the tokens' header \`kid\`), got ${String(key.kid)}.`);
    }
    const first = seen.get(key.kid);
    if (first !== undefined) {
      fail(
        `keys[${i}].kid`,
        `is ${JSON.stringify(key.kid)}, the same as keys[${first}].kid: Convex picks the JWKS key by kid, so each ` +
          "key needs its own.",
      );
    }
    seen.set(key.kid, i);
    const publishFrom = parseInstant(`keys[${i}].publishFrom`, key.publishFrom);
    const signFrom = parseInstant(`keys[${i}].signFrom`, key.signFrom);
    if (signFrom === undefined && publishFrom === undefined) {
      if (i > 0) {
        fail(
          `keys[${i}].signFrom`,
          `is needed (or publishFrom): keys[${i}] (kid ${JSON.stringify(key.kid)}) takes over signing from ` +
            `keys[${i - 1}] ` +
            "at signFrom, and is published jwksMaxAgeSec + rotationMarginSec before.",
        );
      }
      return { kid: key.kid, publishFrom: Number.NEGATIVE_INFINITY, signFrom: Number.NEGATIVE_INFINITY };
    }
    return {
      kid: key.kid,
      publishFrom: publishFrom ?? (signFrom as number) - lead,
      signFrom: signFrom ?? (publishFrom as number) + lead,
    };
  });
  const [problem] = rotationProblems(times, policy);
  if (problem) throw new TypeError(`${where}: ${problem.message}`);
  return times;
}
