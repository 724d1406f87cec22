/**
 * `customJwtProvider`: a checked `customJwt` entry for `convex/auth.config.ts`. Pure and dependency-free,
 * so it runs wherever Convex evaluates the config.
 *
 * @module
 */
import { providerIssuerUrl } from "../core/issuer";
import { safeUrl } from "./safe-url";

/** The fix for a missing `applicationID` (kept here so `customJwtProvider` stays tiny in auth.config bundles). */
export const APPLICATION_ID_FIX =
  "Set `applicationID` in convex/auth.config.ts to the value the issuer puts in `aud`: without it, any token from " +
  "this issuer is accepted, including ones minted for other services.";

/** The two algorithms a customJwt provider may have (anything else: "Invalid signature algorithm"). */
export const SUPPORTED_ALGORITHMS = ["RS256", "ES256"] as const;

/** Whether `algorithm` is one of {@link SUPPORTED_ALGORITHMS}. */
export const isSupportedAlgorithm = (algorithm: unknown): algorithm is (typeof SUPPORTED_ALGORITHMS)[number] =>
  SUPPORTED_ALGORITHMS.includes(algorithm as never);

/** A `convex/auth.config.ts` provider entry of `type: "customJwt"` (the shape Convex's `AuthConfig` accepts). */
export interface CustomJwtProvider {
  type: "customJwt";
  /** Must equal the tokens' `iss`. Gets `https://` prepended by the backend when it has no scheme. */
  issuer: string;
  /** JWKS URL (`https:`, `http:` or `data:`). */
  jwks: string;
  /** When set, the tokens' `aud` (a string or an array) must contain it. */
  applicationID?: string;
  algorithm: "RS256" | "ES256";
}

/** Options of {@link customJwtProvider}. */
export interface CustomJwtProviderOptions {
  /** The tokens' `iss`, e.g. `https://auth.example.com`. */
  issuer: string | undefined;
  /** Where the backend fetches your public keys: an `https:` (or `http:`) URL, or a `data:` URL of the JWKS. */
  jwks: string | undefined;
  /** The tokens' `aud`. Leaving it out accepts any token of this issuer (a warning says so). */
  applicationID?: string | undefined;
  /** Signing algorithm. @default "RS256" */
  algorithm?: "RS256" | "ES256";
  /**
   * Where the warning about a missing `applicationID` goes. `false` silences it (only when several services
   * are *meant* to share tokens). @default console.warn
   */
  onWarning?: ((message: string) => void) | false;
}

const fromEnvHint = "if it comes from process.env, set it on the deployment with `npx convex env set`";

function requireUrl(name: "issuer" | "jwks", value: unknown, allowData: boolean): string {
  const what = name === "issuer" ? "the issuer's URL (the tokens' `iss`)" : "the URL of the issuer's JWKS";
  if (typeof value !== "string" || value.trim() === "") {
    throw new TypeError(
      `customJwtProvider: \`${name}\` must be a non-empty string, got ${String(value)}: pass ${what} (${fromEnvHint}).`,
    );
  }
  // The backend prepends https:// to an issuer without a scheme; mirror it before parsing.
  const candidate = name === "issuer" ? providerIssuerUrl(value) : value;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw new TypeError(
      `customJwtProvider: \`${name}\` is not a valid URL: ${JSON.stringify(safeUrl(value))}. Pass ${what}.`,
    );
  }
  const schemes = allowData ? ["https:", "http:", "data:"] : ["https:", "http:"];
  if (!schemes.includes(url.protocol)) {
    throw new TypeError(
      `customJwtProvider: \`${name}\` must be an ${schemes.map((s) => s.slice(0, -1)).join(", ")} URL, got ` +
        `${url.protocol} URL: pass ${what}.`,
    );
  }
  if (url.username || url.password) {
    throw new TypeError(
      `customJwtProvider: \`${name}\` must not contain credentials (user:password@): Convex fetches it without ` +
        "any, so the issuer must serve it publicly. Remove them from the URL.",
    );
  }
  return value;
}

/**
 * A `customJwt` provider for `convex/auth.config.ts`, checked when the config is evaluated: `issuer` and
 * `jwks` must be URLs (`jwks` may be a `data:` URL), `algorithm` RS256 or ES256, and a missing
 * `applicationID` is warned about (without it, tokens your issuer minted for other services are accepted).
 * Throws a `TypeError` naming the bad option.
 *
 * @example
 * // convex/auth.config.ts
 * import { customJwtProvider } from "convex-custom-jwt/server";
 *
 * export default {
 *   providers: [
 *     customJwtProvider({
 *       issuer: "https://auth.example.com",
 *       jwks: "https://auth.example.com/.well-known/jwks.json",
 *       applicationID: "convex",
 *       algorithm: "RS256",
 *     }),
 *   ],
 * };
 */
export function customJwtProvider(options: CustomJwtProviderOptions): CustomJwtProvider {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `customJwtProvider: pass an options object { issuer, jwks, applicationID, algorithm }, got ` +
        `${options === null ? "null" : typeof options}.`,
    );
  }
  const issuer = requireUrl("issuer", options.issuer, false);
  const jwks = requireUrl("jwks", options.jwks, true);
  const algorithm = options.algorithm ?? "RS256";
  if (!isSupportedAlgorithm(algorithm)) {
    throw new TypeError(
      `customJwtProvider: \`algorithm\` must be "RS256" or "ES256", got ${JSON.stringify(algorithm)} (Convex: ` +
        `"Invalid signature algorithm (only RS256 and ES256 are supported)"). Set the one the issuer signs with.`,
    );
  }
  const { applicationID } = options;
  if (applicationID !== undefined && (typeof applicationID !== "string" || applicationID === "")) {
    throw new TypeError(
      `customJwtProvider: \`applicationID\` must be a non-empty string or left out, got ` +
        `${JSON.stringify(applicationID)}: pass the \`aud\` the issuer puts in its tokens (${fromEnvHint}).`,
    );
  }
  if (options.onWarning !== undefined && options.onWarning !== false && typeof options.onWarning !== "function") {
    throw new TypeError(
      `customJwtProvider: \`onWarning\` must be a function, or false to silence the warning, got ` +
        `${typeof options.onWarning}.`,
    );
  }
  if (applicationID === undefined && options.onWarning !== false) {
    const warn = options.onWarning ?? ((message: string) => console.warn(message));
    try {
      warn(`customJwtProvider(${safeUrl(issuer)}): no \`applicationID\`. ${APPLICATION_ID_FIX}`);
    } catch {
      // A throwing warning hook must not break the auth config.
    }
  }
  return {
    type: "customJwt",
    issuer,
    jwks,
    ...(applicationID !== undefined ? { applicationID } : {}),
    algorithm,
  };
}
