/**
 * `diagnoseToken`'s first checks: the provider config, then the backend's routing on the unverified
 * `iss`/`aud` (step 1 of `validate_id_token`).
 *
 * @internal
 * @module
 */
import { audiences, issuerMatches, normalizeIssuer, normalizeTokenIssuer, providerIssuerUrl } from "../core/issuer";
import { BACKEND_MESSAGES } from "./backend-messages";
import { noProviderMessage, present, providerMatches, type Claims } from "./backend-rules";
import { isSupportedAlgorithm, type CustomJwtProvider } from "./custom-jwt-provider";
import { isCustomJwt, type Report } from "./report";

/** Providers as an array, or a whole `convex/auth.config` object (`{ providers }`). */
export type ProvidersInput = readonly unknown[] | { providers: readonly unknown[] };

/** Config checks; returns the providers the backend would load. */
export function checkConfig(input: ProvidersInput, r: Report): CustomJwtProvider[] {
  const list = Array.isArray(input) ? input : (input as { providers?: unknown }).providers;
  if (!Array.isArray(list) || list.length === 0) {
    r.fail("NO_PROVIDERS", "convex/auth.config.ts configures no providers.", BACKEND_MESSAGES.noProviders);
    return [];
  }
  const providers = list.filter(isCustomJwt);
  const others = list.length - providers.length;
  let problems = 0;
  providers.forEach((p, i) => {
    const name = `Provider #${i + 1} (${p.issuer})`;
    if (!isSupportedAlgorithm(p.algorithm)) {
      problems++;
      r.fail(
        "CONFIG_ALGORITHM_UNSUPPORTED",
        `${name} has algorithm ${JSON.stringify(p.algorithm)}, which Convex refuses.`,
        BACKEND_MESSAGES.badAlgorithm,
      );
    }
    if (typeof p.issuer !== "string" || p.issuer === "" || typeof p.jwks !== "string" || p.jwks === "") {
      problems++;
      r.fail(
        "CONFIG_INVALID",
        `${name} has issuer ${JSON.stringify(p.issuer)} and jwks ${JSON.stringify(p.jwks)}: both must be ` +
          "non-empty URLs.",
      );
    }
    if (p.applicationID === undefined) {
      problems++;
      r.warn("APPLICATION_ID_MISSING", `${name} has no applicationID: any token of this issuer is accepted.`);
    }
  });
  if (providers.length === 0) {
    r.fail(
      "NO_PROVIDERS",
      `convex/auth.config.ts has no customJwt provider (${others} other provider(s) are not checked).`,
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

/** A normalized issuer URL without its `http://` or `https://`. */
const withoutScheme = (normalized: string): string => normalized.replace(/^https?:\/\//, "");

/** An issuer URL with its scheme, case and trailing slashes set aside: how a near miss is spotted. */
const loosely = (normalized: string): string => withoutScheme(normalized).toLowerCase();

/** The trailing slashes of an issuer: the one difference Convex ignores once a provider matches. */
const trailingSlashes = (issuer: string): string => /\/*$/.exec(issuer)?.[0] ?? "";

/**
 * Why an `iss` that nearly matches the provider's `issuer` (equal but for scheme and case) still misses: only
 * the scheme (an issuer behind a TLS proxy that believes it runs on http://), or the case too.
 */
function nearMissHint(issuerUrl: string, iss: string): string {
  const close = JSON.stringify(issuerUrl);
  if (withoutScheme(normalizeIssuer(issuerUrl)) === withoutScheme(normalizeTokenIssuer(iss))) {
    return (
      ` (only the scheme differs from ${close}: Convex compares http:// and https:// exactly; an issuer behind ` +
      "a TLS proxy that believes it runs on http:// writes http:// into `iss`)"
    );
  }
  return ` (close to ${close}: the scheme or case differs, and both must match exactly)`;
}

/**
 * Step 1: routing on the unverified `iss`/`aud`. Returns the matched provider, or a candidate to keep diagnosing with.
 */
export function checkProvider(claims: Claims, providers: CustomJwtProvider[], r: Report) {
  if (!present(claims.iss)) {
    r.fail("ISS_MISSING", "The token has no `iss` claim.", BACKEND_MESSAGES.missingIss);
    return { candidate: providers.length === 1 ? providers[0] : undefined };
  }
  const iss = claims.iss as string;
  const auds = audiences(claims.aud);
  const matched = providers.find((p) => providerMatches(p, iss, auds));
  if (matched) {
    if (trailingSlashes(matched.issuer) !== trailingSlashes(iss)) {
      r.warn(
        "ISSUER_TRAILING_SLASH",
        `iss ${JSON.stringify(iss)} and issuer ${JSON.stringify(matched.issuer)} differ only by a trailing slash: ` +
          "Convex accepts the token (it ignores trailing slashes), verifiers that compare exactly do not.",
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
      r.fail("AUDIENCE_MISSING", `The token has no \`aud\`; the provider expects applicationID ${apps}.`, backend);
    } else if (Array.isArray(claims.aud)) {
      r.fail(
        "AUDIENCE_MISMATCH",
        `aud is an array, ${JSON.stringify(claims.aud)}, and none of its entries is applicationID ${apps} (the ` +
          "audiences of an API access token, e.g. Auth0's [API, userinfo]).",
        backend,
      );
    } else {
      r.fail("AUDIENCE_MISMATCH", `aud ${JSON.stringify(claims.aud)} does not contain applicationID ${apps}.`, backend);
    }
    return { candidate: sameIss[0] };
  }
  const issuers = providers.map((p) => providerIssuerUrl(p.issuer));
  const near = providers.find((p) => loosely(normalizeIssuer(p.issuer)) === loosely(normalizeTokenIssuer(iss)));
  const hint = near ? nearMissHint(providerIssuerUrl(near.issuer), iss) : "";
  r.fail(
    "ISSUER_MISMATCH",
    `iss ${JSON.stringify(iss)} matches no provider issuer ${JSON.stringify(issuers)}${hint}.`,
    backend,
  );
  const candidate = providers.length === 1 ? providers[0] : undefined;
  // With one provider, also say whether the audience would have matched.
  if (candidate?.applicationID !== undefined && !auds.includes(candidate.applicationID)) {
    r.fail(
      present(claims.aud) ? "AUDIENCE_MISMATCH" : "AUDIENCE_MISSING",
      `aud ${JSON.stringify(claims.aud ?? null)} does not contain applicationID ` +
        `${JSON.stringify(candidate.applicationID)} either.`,
      backend,
    );
  }
  return { candidate };
}
