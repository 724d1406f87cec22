/**
 * The Convex backend's rules for matching a token's `iss` and `aud` to a `customJwt` provider, in one place:
 * the core's early checks, `diagnoseToken` and the local deployment all use these.
 *
 * The backend (`matches_token`, `deserialize_issuer_url`) reads the two sides differently: the provider's
 * `issuer` gets `https://` when it has no scheme at all, the token's `iss` when its scheme is neither
 * `http://` nor `https://`. Both then lose their trailing slashes and compare exactly (case, `http` vs `https`).
 *
 * @module
 */

/**
 * A provider's `issuer` as the Convex backend compares it: `https://` prefixed when it has no scheme,
 * trailing slashes dropped. The comparison is otherwise exact (case, `http` vs `https`).
 *
 * @example
 * normalizeIssuer("auth.example.com/"); // "https://auth.example.com"
 */
export function normalizeIssuer(issuer: string): string {
  return withoutTrailingSlashes(providerIssuerUrl(issuer));
}

/** A provider's `issuer` as the backend parses it (and quotes it in its messages): `https://` if it has no scheme. */
export function providerIssuerUrl(issuer: string): string {
  return /^\w+:\/\//.test(issuer) ? issuer : `https://${issuer}`;
}

/** A token's `iss` as the backend compares it: only `http://` and `https://` count as a scheme. */
export function normalizeTokenIssuer(iss: string): string {
  return withoutTrailingSlashes(iss.startsWith("https://") || iss.startsWith("http://") ? iss : `https://${iss}`);
}

/** Whether a token whose `iss` is `iss` comes from the provider whose `issuer` is `issuer`, as the backend decides. */
export function issuerMatches(issuer: string, iss: string): boolean {
  return normalizeIssuer(issuer) === normalizeTokenIssuer(iss);
}

/** A token's `aud` as a list: a string, or the strings of an array; anything else is no audience. */
export function audiences(aud: unknown): string[] {
  if (typeof aud === "string") return [aud];
  return Array.isArray(aud) ? aud.filter((entry): entry is string => typeof entry === "string") : [];
}

function withoutTrailingSlashes(url: string): string {
  return url.replace(/\/+$/, "");
}
