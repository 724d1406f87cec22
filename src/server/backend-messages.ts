/**
 * The Convex backend's error strings for `customJwt` tokens, verbatim, and the HTTP reason phrases it quotes.
 * They are the backend's words, not ours: never reword them (the README's troubleshooting table and the
 * local deployment are keyed by them).
 *
 * Sources: get-convex/convex-backend @ 94a42c3 `crates/authentication/src/lib.rs` (`validate_id_token`,
 * `fetch_jwks`) and `crates/sync/src/state.rs`; the reason phrases are the `http` crate's canonical reasons,
 * which reqwest prints.
 *
 * @module
 */

/** Rust `{:?}` of a `Vec<&str>`; identical to JSON for ordinary strings. */
export const rustDebugList = (items: string[]): string => `[${items.map((s) => JSON.stringify(s)).join(", ")}]`;

/** The backend's fixed error strings (`ErrorMetadata::unauthenticated`), verbatim. */
export const BACKEND_MESSAGES = {
  unparseable:
    "Could not parse JWT payload. Check that the token is a valid JWT format with three base64-encoded parts " +
    "separated by dots.",
  missingIss:
    "Missing issuer claim ('iss') in JWT payload. The JWT must include an 'iss' claim that matches one of your " +
    "configured auth providers.",
  missingAud:
    "Missing audience claim ('aud') in JWT payload. The JWT must include an 'aud' claim that matches your " +
    "configured application ID.",
  badClaims:
    "Could not verify token claim. Check that the JWT contains valid claims and matches your auth provider " +
    "configuration.",
  missingKid: "Could not decode token. JWT may be missing a 'kid' (key ID) header.",
  badKid: (kid: string): string =>
    `Could not decode token. The JWT's 'kid' (key ID) header is '${kid}', does this key match any key in the ` +
    `provider's JWKS?`,
  expired: "Convex token identity expired",
  badAlgorithm: "Invalid signature algorithm (only RS256 and ES256 are supported)",
  noProviders:
    "No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts.",
  noProvider: (list: string): string =>
    `No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your ` +
    `configured providers: [${list}]`,
  jwksHttp: (uri: string, status: number, reason: string): string =>
    `Could not fetch JWKS from URL '${uri}': HTTP ${status} ${reason}. Check that the URL is correct and accessible.`,
  jwksNetwork: (uri: string, href: string): string =>
    `Could not fetch JWKS from URL '${uri}': error sending request for url (${href}). Check that the URL is correct ` +
    `and accessible.`,
  jwksContentType: (contentType: string, uri: string): string =>
    `Invalid Content-Type '${contentType}' when fetching JWKS from '${uri}'. Expected 'application/json' or ` +
    `'application/jwk-set+json'.`,
  jwksBody: (uri: string): string =>
    `Invalid JWKS response body from '${uri}'. The response is not valid JSON or doesn't match the expected JWKS ` +
    `format.`,
  jwksDataUrl:
    "Invalid JWKS data URL. Check that the data URL is properly formatted and contains valid base64-encoded JSON.",
  invalidIssuer: (iss: string, issuer: string): string => `Invalid issuer: ${iss} != ${issuer}`,
  invalidAudience: (app: string, auds: string[]): string => `Invalid audience: ${app} not in ${rustDebugList(auds)}`,
  expiredAgo: (seconds: number): string => `Could not validate token: Token expired ${seconds} seconds ago`,
  validIn: (seconds: number): string => `Could not validate token: Token will be valid in ${seconds} seconds`,
} as const;

/** The canonical reason phrases of the `http` crate (what reqwest prints after a status), by status. */
const REASONS: Readonly<Record<number, string>> = {
  100: "Continue",
  101: "Switching Protocols",
  102: "Processing",
  200: "OK",
  201: "Created",
  202: "Accepted",
  203: "Non Authoritative Information",
  204: "No Content",
  205: "Reset Content",
  206: "Partial Content",
  207: "Multi-Status",
  208: "Already Reported",
  226: "IM Used",
  300: "Multiple Choices",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  304: "Not Modified",
  305: "Use Proxy",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  407: "Proxy Authentication Required",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  411: "Length Required",
  412: "Precondition Failed",
  413: "Payload Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  416: "Range Not Satisfiable",
  417: "Expectation Failed",
  418: "I'm a teapot",
  421: "Misdirected Request",
  422: "Unprocessable Entity",
  423: "Locked",
  424: "Failed Dependency",
  426: "Upgrade Required",
  428: "Precondition Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  451: "Unavailable For Legal Reasons",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
  506: "Variant Also Negotiates",
  507: "Insufficient Storage",
  508: "Loop Detected",
  510: "Not Extended",
  511: "Network Authentication Required",
};

/** The reason phrase the backend quotes after an HTTP status in its JWKS error; `Unknown` for an unlisted one. */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? "Unknown";
}
