/**
 * Key rotation as a pure function of time. From the app's key list (each key with the instant it is added to
 * the JWKS and the instant it starts signing) and the rotation policy, derive for any instant which key signs
 * and which public keys the JWKS publishes. Every server instance computes the same answer from the same
 * list: no shared state, no timers.
 *
 * The two rules, each with the reason:
 * - **A key is published at least `jwksMaxAgeMs + marginMs` before it signs.** Convex caches the JWKS as its
 *   `Cache-Control` allows and does not refetch on an unknown `kid`: any copy it may hold when the key starts
 *   signing was fetched after the key was published.
 * - **A retired key stays published until the last token it signed has expired (with the backend's leeway),
 *   plus `jwksMaxAgeMs + marginMs`.**
 *
 * @module
 */

/** One key's times, in epoch milliseconds (`-Infinity`: since always). */
export interface KeyTimes {
  kid: string;
  /** When its public half first appears in the JWKS. */
  publishFrom: number;
  /** When it starts signing. */
  signFrom: number;
}

/** What the rotation maths needs to know, in milliseconds. */
export interface RotationPolicy {
  /** The JWKS's `Cache-Control: max-age`: how long Convex may keep a copy. */
  jwksMaxAgeMs: number;
  /** Extra time on both rules, for clocks that disagree (instances, Convex). */
  marginMs: number;
  /** The longest lifetime of a token (`exp − iat`). */
  maxLifetimeMs: number;
  /** How long after `exp` the backend still accepts a token (5 s). */
  expiryLeewayMs: number;
}

/** One key's whole life, derived from its {@link KeyTimes} and the next key's. */
export interface KeyWindow {
  /** Position in the app's list (for messages that name `keys[i]`). */
  index: number;
  kid: string;
  publishFrom: number;
  signFrom: number;
  /** When the next key takes over signing (`Infinity` for the last key). */
  signUntil: number;
  /** When it leaves the JWKS (`Infinity` for the last key). */
  unpublishAt: number;
}

/** A problem with the key list; `path` names the option (`keys[2].signFrom`). */
export interface RotationProblem {
  path: string;
  message: string;
}

/** The shortest time between publishing a key and signing with it. */
export const publishLeadMs = (policy: RotationPolicy): number => policy.jwksMaxAgeMs + policy.marginMs;

/** How long a key stays published after it stops signing. */
export const retireTailMs = (policy: RotationPolicy): number =>
  policy.maxLifetimeMs + policy.expiryLeewayMs + policy.jwksMaxAgeMs + policy.marginMs;

const iso = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));

/**
 * Check a key list for safe rotation. Keys are listed in the order they start signing; each starts signing at
 * least {@link publishLeadMs} after it is published. Returns every problem found (empty: safe).
 */
export function rotationProblems(keys: readonly KeyTimes[], policy: RotationPolicy): RotationProblem[] {
  const problems: RotationProblem[] = [];
  const lead = publishLeadMs(policy);
  keys.forEach((key, i) => {
    const previous = keys[i - 1];
    if (previous && !(key.signFrom > previous.signFrom)) {
      problems.push({
        path: `keys[${i}].signFrom`,
        message:
          `\`keys[${i}].signFrom\` (${iso(key.signFrom)}) is not after \`keys[${i - 1}].signFrom\` ` +
          `(${iso(previous.signFrom)}): list the keys in the order they start signing, each with a later signFrom.`,
      });
    }
    const gap = key.signFrom - key.publishFrom;
    if (Number.isFinite(key.publishFrom) && gap < lead) {
      problems.push({
        path: `keys[${i}].signFrom`,
        message:
          `\`keys[${i}].signFrom\` (${iso(key.signFrom)}) is only ${Math.max(0, gap) / 1000} s after ` +
          `\`keys[${i}].publishFrom\` (${iso(key.publishFrom)}), when kid ${JSON.stringify(key.kid)} is added to the ` +
          "JWKS. Convex may keep a copy of the JWKS without it for jwksMaxAgeSec + rotationMarginSec = " +
          `${lead / 1000} s ` +
          `and rejects its tokens meanwhile: set signFrom to ${iso(key.publishFrom + lead)} or later (or leave it ` +
          "out: it defaults to the earliest safe instant), or publish the key earlier.",
      });
    }
  });
  return problems;
}

/** Each key's window: when it signs and when it is published. Assumes {@link rotationProblems} found none. */
export function rotationWindows(keys: readonly KeyTimes[], policy: RotationPolicy): KeyWindow[] {
  const tail = retireTailMs(policy);
  return keys.map((key, index) => {
    const signUntil = keys[index + 1]?.signFrom ?? Number.POSITIVE_INFINITY;
    return {
      index,
      kid: key.kid,
      publishFrom: key.publishFrom,
      signFrom: key.signFrom,
      signUntil,
      unpublishAt: signUntil + tail,
    };
  });
}

/** The key that signs at `at` (ms), or `undefined` before the first key starts signing. */
export function signingKeyAt(windows: readonly KeyWindow[], at: number): KeyWindow | undefined {
  // The last key whose signFrom has come: keys are few, and listed in signing order.
  let found: KeyWindow | undefined;
  for (const w of windows) {
    if (w.signFrom > at) break;
    found = w;
  }
  return found;
}

/** The keys the JWKS publishes at `at` (ms), in list order. */
export function publishedKeysAt(windows: readonly KeyWindow[], at: number): KeyWindow[] {
  return windows.filter((w) => w.publishFrom <= at && at < w.unpublishAt);
}

/**
 * Since when the JWKS has held every key it publishes at `at`: the newest of their `publishFrom` (`undefined`
 * when they are all published since always). A removal does not count: a copy that still holds a retired key
 * verifies everything the current set does. Served as `Last-Modified`, it tells a reader (`doctor`) that any
 * copy fetched after it has every current key.
 */
export function newestKeyPublishedAt(windows: readonly KeyWindow[], at: number): number | undefined {
  let newest: number | undefined;
  for (const w of publishedKeysAt(windows, at)) {
    if (Number.isFinite(w.publishFrom) && (newest === undefined || w.publishFrom > newest)) newest = w.publishFrom;
  }
  return newest;
}
