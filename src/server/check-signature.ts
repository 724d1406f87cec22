/**
 * `diagnoseToken`'s steps 2–3: the provider's JWKS, the algorithms real issuers use that Convex cannot verify
 * (EdDSA, HS256), then biscuit's key selection (`kid`, `alg`) and the signature itself, verified with
 * WebCrypto (independently of the local deployment's jose).
 *
 * @internal
 * @module
 */
import {
  parseHeader,
  parsePayload,
  selectJwk,
  signatureFailureMessage,
  type KeySelectionFailure,
} from "./backend-rules";
import { checkJwksCaching, checkKidPublished } from "./check-key-rotation";
import type { CustomJwtProvider } from "./custom-jwt-provider";
import { loadJwks, type LoadJwksOptions } from "./load-jwks";
import type { Report } from "./report";
import { verifySignature } from "./verify-signature";

/** Steps 2–3: JWKS, kid, alg, signature against `provider`. */
export async function checkSignature(
  token: string,
  provider: CustomJwtProvider | undefined,
  opts: LoadJwksOptions & { now?: number },
  r: Report,
): Promise<void> {
  const skipAll = (why: string) => {
    for (const check of ["jwks", "kid", "alg", "signature"] as const) r.skip(check, why);
  };
  if (!provider) return skipAll("No provider to check the signature against (see the provider check).");
  if (typeof provider.jwks !== "string") return skipAll("The provider has no jwks URL (see the config check).");
  const loaded = await loadJwks(provider.jwks, opts);
  if (!loaded.ok) {
    r.fail(loaded.code, loaded.message, loaded.backendMessage);
    for (const check of ["kid", "alg", "signature"] as const) r.skip(check, "The JWKS could not be loaded.");
    return;
  }
  checkJwksCaching(loaded, r);

  const backend = signatureFailureMessage(token);
  const header = parseHeader(token);
  const skip = (checks: ("alg" | "signature")[]) => {
    for (const check of checks) r.skip(check, "An earlier signature check failed.");
  };
  const pitfall = algorithmPitfall(header?.alg);
  if (pitfall) {
    r.fail(pitfall.code, pitfall.message, backend);
    return skip(["alg", "signature"]);
  }
  const selected = selectJwk(header, loaded.keys, provider.algorithm);
  if (!selected.ok && KID_FAILURES.has(selected.failure)) {
    r.fail(selected.failure, keyFailure(selected.failure, header, loaded.keys, provider.algorithm), backend);
    return skip(["alg", "signature"]);
  }
  checkKidPublished(String(header?.kid), parsePayload(token)?.iat, loaded, opts.now ?? Date.now(), r);
  if (!selected.ok) {
    r.fail(selected.failure, keyFailure(selected.failure, header, loaded.keys, provider.algorithm), backend);
    return skip(["signature"]);
  }
  r.pass("alg", `${String(header?.alg)}, as configured.`);
  const verified = await verifySignature(token, selected.jwk, provider.algorithm);
  if (verified.ok) r.pass("signature", `Verified with kid ${JSON.stringify(header?.kid)}.`);
  else r.fail("SIGNATURE_INVALID", `The signature does not verify: ${verified.reason}.`, backend);
}

/**
 * Algorithms real issuers sign with that Convex cannot verify, named for what they are: the backend's own words
 * ("missing a 'kid'", "does this key match") point at the `kid`, not at the algorithm.
 */
function algorithmPitfall(alg: unknown): { code: "ALG_EDDSA" | "ALG_SYMMETRIC"; message: string } | undefined {
  if (alg === "EdDSA") {
    return {
      code: "ALG_EDDSA",
      message:
        "The token is signed with EdDSA (the default of Better Auth's jwt plugin). Convex's customJwt accepts " +
        "only RS256 and ES256, and fails while parsing the header, before it reads the `kid`.",
    };
  }
  if (typeof alg === "string" && /^HS(256|384|512)$/.test(alg)) {
    return {
      code: "ALG_SYMMETRIC",
      message:
        `The token is signed with ${alg}, a shared secret (legacy Supabase projects sign this way). Convex ` +
        "verifies only RS256 and ES256 signatures against a JWKS, and no JWKS holds a shared secret.",
    };
  }
  return undefined;
}

/** The key-selection failures reported by the `kid` check (the others by the `alg` check). */
const KID_FAILURES: ReadonlySet<KeySelectionFailure> = new Set(["HEADER_MALFORMED", "KID_MISSING", "KID_UNKNOWN"]);

/** What was found, with the values involved, for a key-selection failure. */
function keyFailure(
  failure: KeySelectionFailure,
  header: Record<string, unknown> | undefined,
  keys: readonly Record<string, unknown>[],
  algorithm: string,
): string {
  const kids = JSON.stringify(keys.map((k) => k.kid));
  switch (failure) {
    case "HEADER_MALFORMED":
      return `The JWT header is not a JSON object with a known \`alg\` (alg: ${JSON.stringify(header?.alg ?? null)}).`;
    case "KID_MISSING":
      return `The JWT header has no \`kid\`; the JWKS has ${kids}.`;
    case "KID_UNKNOWN":
      return `kid ${JSON.stringify(header?.kid)} is not in the JWKS (${kids}).`;
    case "JWK_ALG_MISMATCH": {
      const jwk = keys.find((k) => k.kid === header?.kid);
      return `The header's alg is ${String(header?.alg)}, the JWK's alg is ${String(jwk?.alg)}.`;
    }
    case "ALG_MISMATCH":
      return `The token is signed with ${String(header?.alg)}, the provider expects ${algorithm}.`;
  }
}
