/**
 * `diagnoseToken`'s first checks: the provider config, then the backend's routing on the unverified
 * `iss`/`aud` (step 1 of `validate_id_token`).
 *
 * @internal
 * @module
 */
import { audiences, issuerMatches, normalizeTokenIssuer, providerIssuerUrl } from "../core/issuer";
import { BACKEND_MESSAGES, noProviderMessage, present, providerMatches, type Claims } from "./backend-rules";
import type { CustomJwtProvider } from "./custom-jwt-provider";
import { isCustomJwt, type Report } from "./report";

/** Providers as an array, or a whole `convex/auth.config` object (`{ providers }`). */
export type ProvidersInput = readonly unknown[] | { providers: readonly unknown[] };

/** Config checks; returns the providers the backend would load. */
export function checkConfig(input: ProvidersInput, r: Report): CustomJwtProvider[] {
  const list = Array.isArray(input) ? input : (input as { providers?: unknown }).providers;
  if (!Array.isArray(list) || list.length === 0) {
    r.fail("config", "NO_PROVIDERS", "No providers are configured.", BACKEND_MESSAGES.noProviders);
    return [];
  }
  const providers = list.filter(isCustomJwt);
  const others = list.length - providers.length;
  let problems = 0;
  providers.forEach((p, i) => {
    const name = `provider #${i + 1} (${p.issuer})`;
    if (p.algorithm !== "RS256" && p.algorithm !== "ES256") {
      problems++;
      r.fail(
        "config",
        "CONFIG_ALGORITHM_UNSUPPORTED",
        `${name}: algorithm ${JSON.stringify(p.algorithm)}.`,
        BACKEND_MESSAGES.badAlgorithm,
      );
    }
    if (typeof p.issuer !== "string" || p.issuer === "" || typeof p.jwks !== "string" || p.jwks === "") {
      problems++;
      r.add(
        "config",
        "fail",
        "CONFIG_INVALID",
        `${name}: issuer ${JSON.stringify(p.issuer)}, jwks ${JSON.stringify(p.jwks)}.`,
      );
    }
    if (p.applicationID === undefined) {
      problems++;
      r.warn("config", "APPLICATION_ID_MISSING", `${name} has no applicationID: any token of this issuer is accepted.`);
    }
  });
  if (providers.length === 0) {
    r.fail(
      "config",
      "NO_PROVIDERS",
      `No customJwt provider (${others} other provider(s) are not checked).`,
      BACKEND_MESSAGES.noProviders,
    );
  } else if (problems === 0) {
    r.pass(
      "config",
      `${providers.length} customJwt provider(s)${others ? `; ${others} other provider(s) not checked` : ""}.`,
    );
  }
  return providers;
}

/**
 * Step 1: routing on the unverified `iss`/`aud`. Returns the matched provider, or a candidate to keep diagnosing with.
 */
export function checkProvider(claims: Claims, providers: CustomJwtProvider[], r: Report) {
  if (!present(claims.iss)) {
    r.fail("provider", "ISS_MISSING", "The token has no `iss` claim.", BACKEND_MESSAGES.missingIss);
    return { candidate: providers.length === 1 ? providers[0] : undefined };
  }
  const iss = claims.iss as string;
  const auds = audiences(claims.aud);
  const matched = providers.find((p) => providerMatches(p, iss, auds));
  if (matched) {
    if (differsOnlyByTrailingSlash(matched.issuer, iss)) {
      r.warn(
        "provider",
        "ISSUER_TRAILING_SLASH",
        `iss ${JSON.stringify(iss)} and issuer ${JSON.stringify(matched.issuer)} differ only by a trailing slash: ` +
          "Convex accepts the token (it ignores trailing slashes).",
      );
      return { matched, candidate: matched };
    }
    r.pass(
      "provider",
      `iss ${JSON.stringify(iss)} and aud ${JSON.stringify(claims.aud ?? null)} match provider ` +
        `${providerIssuerUrl(matched.issuer)}.`,
    );
    return { matched, candidate: matched };
  }
  const backend = noProviderMessage(providers);
  const sameIss = providers.filter((p) => issuerMatches(p.issuer, iss));
  if (sameIss.length > 0) {
    const apps = sameIss.map((p) => JSON.stringify(p.applicationID)).join(", ");
    if (!present(claims.aud)) {
      r.fail(
        "provider",
        "AUDIENCE_MISSING",
        `The token has no \`aud\`; the provider expects applicationID ${apps}.`,
        backend,
      );
    } else if (Array.isArray(claims.aud)) {
      r.fail(
        "provider",
        "AUDIENCE_MISMATCH",
        `aud is an array, ${JSON.stringify(claims.aud)}, and none of its entries is applicationID ${apps} (an API ` +
          "access token's audiences, e.g. Auth0's [API, userinfo]).",
        backend,
      );
    } else {
      r.fail(
        "provider",
        "AUDIENCE_MISMATCH",
        `aud ${JSON.stringify(claims.aud)} does not contain applicationID ${apps}.`,
        backend,
      );
    }
    return { candidate: sameIss[0] };
  }
  const issuers = providers.map((p) => providerIssuerUrl(p.issuer));
  const near = issuers.find(
    (i) =>
      i
        .replace(/^https?:\/\//, "")
        .toLowerCase()
        .replace(/\/+$/, "") ===
      normalizeTokenIssuer(iss)
        .replace(/^https?:\/\//, "")
        .toLowerCase()
        .replace(/\/+$/, ""),
  );
  const hint = near
    ? ` (close to ${JSON.stringify(near)}: the scheme or case differs, and both must match exactly)`
    : "";
  const schemeOnly = near !== undefined && sameHostCase(near, iss) && schemeOf(near) !== schemeOf(iss);
  const why = schemeOnly
    ? ` (only the scheme differs from ${JSON.stringify(near)}: Convex compares http:// and https:// exactly; an ` +
      "issuer behind a TLS proxy that believes it runs on http:// writes http:// into `iss`)"
    : hint;
  r.fail(
    "provider",
    "ISSUER_MISMATCH",
    `iss ${JSON.stringify(iss)} matches no provider issuer ${JSON.stringify(issuers)}${why}.`,
    backend,
  );
  const candidate = providers.length === 1 ? providers[0] : undefined;
  // With one provider, also say whether the audience would have matched.
  if (candidate?.applicationID !== undefined && !auds.includes(candidate.applicationID)) {
    const code = present(claims.aud) ? "AUDIENCE_MISMATCH" : "AUDIENCE_MISSING";
    r.fail(
      "provider",
      code,
      `aud ${JSON.stringify(claims.aud ?? null)} does not contain applicationID ` +
        `${JSON.stringify(candidate.applicationID)} either.`,
      backend,
    );
  }
  return { candidate };
}

/** `http` or `https` of an absolute URL. */
const schemeOf = (url: string): string => /^(https?):/i.exec(url)?.[1]?.toLowerCase() ?? "https";

/** The two issuers are equal once the scheme is dropped (case kept: a case difference is not a scheme one). */
function sameHostCase(issuer: string, iss: string): boolean {
  const bare = (url: string) => url.replace(/^https?:\/\//i, "").replace(/\/+$/, "");
  return bare(issuer) === bare(normalizeTokenIssuer(iss));
}

/** Routed, but written differently: one of the two has (more) trailing slashes. */
function differsOnlyByTrailingSlash(issuer: string, iss: string): boolean {
  const tokenIssuerUrl = /^https?:\/\//.test(iss) ? iss : `https://${iss}`;
  return providerIssuerUrl(issuer) !== tokenIssuerUrl;
}
