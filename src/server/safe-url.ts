/**
 * `safeUrl`: a URL as findings, errors and warnings may show it. A JWKS or issuer URL can carry a secret
 * (`https://user:pass@…`, `?token=…`), and a `data:` URL is a whole key set: neither is printed in full.
 *
 * @internal
 * @module
 */
import { redact } from "../core/errors";

/** How much of a `data:` URL is shown (its media type and the start of the data). */
const DATA_URL_SHOWN = 40;

/** `uri` without its userinfo or query string (each becomes `…`); a `data:` URL cut after 40 characters. */
export function safeUrl(uri: string): string {
  if (uri.startsWith("data:")) return uri.length > DATA_URL_SHOWN ? `${uri.slice(0, DATA_URL_SHOWN)}…` : uri;
  return redact(uri);
}
