/**
 * `diagnoseToken`'s checks of a live issuer's JWKS caching and key rotation, from the JWKS response's headers:
 * its `Cache-Control` (Convex keeps the JWKS that long, and fetches it for every token without one), and
 * whether the token's `kid` is in every copy Convex may still hold: when it is the JWKS's newest key,
 * `Last-Modified` says when it was published (convex-custom-jwt/issuer's jwksHandler sends since when the
 * JWKS holds all its keys; a static file, when it was last written).
 *
 * @internal
 * @module
 */
import { BACKEND_MESSAGES } from "./backend-messages";
import type { JwksLoad } from "./load-jwks";
import type { Report } from "./report";

type Loaded = Extract<JwksLoad, { ok: true }>;

/** A JWKS cached for more than a day is flagged: a new key waits that long to be seen. */
export const LONG_JWKS_CACHE_SEC = 86_400;

const iso = (ms: number): string => new Date(ms).toISOString();

/** The `jwks` finding: pass, or a warning about how Convex caches this JWKS. */
export function checkJwksCaching(loaded: Loaded, r: Report): void {
  if (loaded.fetched && loaded.maxAgeSec === undefined) {
    r.warn(
      "JWKS_CACHE_MISSING",
      `${loaded.detail}: no usable max-age, so Convex fetches the JWKS again for every token it validates.`,
    );
  } else if (loaded.maxAgeSec !== undefined && loaded.maxAgeSec > LONG_JWKS_CACHE_SEC) {
    r.warn("JWKS_CACHE_LONG", `${loaded.detail}: Convex keeps it ${loaded.maxAgeSec} s.`);
  } else {
    r.pass("jwks", `${loaded.detail}.`);
  }
}

/**
 * The `kid` finding once the kid is in the fetched JWKS: pass, or a warning when the token's key is the JWKS's
 * newest (the only one, or the last listed: issuers append new keys, convex-custom-jwt/issuer lists them in
 * signing order) and Convex may hold a copy from before it was published: now (`KID_MAYBE_NOT_CACHED`), or
 * when this token was signed (`KEY_PUBLISHED_LATE`: the key signed before every copy could have it).
 */
export function checkKidPublished(kid: string, iat: unknown, loaded: Loaded, nowMs: number, r: Report): void {
  const found = `kid ${JSON.stringify(kid)} is in the JWKS`;
  const since = loaded.lastModifiedMs;
  const maxAgeMs = (loaded.maxAgeSec ?? 0) * 1000;
  const newest = loaded.keys.at(-1)?.kid === kid;
  if (since === undefined || maxAgeMs === 0 || !newest) {
    r.pass("kid", `${found}${newest || since === undefined ? "" : " (not its newest key)"}.`);
    return;
  }
  const key = loaded.keys.length === 1 ? "its only key" : "its newest key (listed last)";
  const published = `${found} as ${key}, published at ${iso(since)} (Last-Modified)`;
  if (nowMs - since < maxAgeMs) {
    r.warn(
      "KID_MAYBE_NOT_CACHED",
      `${published}, ${Math.round((nowMs - since) / 1000)} s ago: a Convex deployment that fetched the JWKS ` +
        `before keeps that copy until ${iso(since + maxAgeMs)} (max-age ${loaded.maxAgeSec} s) and rejects this ` +
        "token until then.",
      BACKEND_MESSAGES.badKid(kid),
    );
    return;
  }
  const signedMs = typeof iat === "number" ? iat * 1000 : undefined;
  if (signedMs !== undefined && signedMs >= since && signedMs - since < maxAgeMs) {
    r.warn(
      "KEY_PUBLISHED_LATE",
      `${published}, and this token was signed ${Math.round((signedMs - since) / 1000)} s later, within the ` +
        `JWKS's max-age (${loaded.maxAgeSec} s): the key signed while Convex could still hold a copy without it, ` +
        "and such tokens were rejected.",
    );
    return;
  }
  r.pass("kid", `${found}, and in every copy Convex may hold (all its keys are published since ${iso(since)}).`);
}
