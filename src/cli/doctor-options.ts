/**
 * `doctor`'s flags: the usage text, parsing, and the provider config they select (a convex/auth.config file,
 * or a provider given as flags), with a local JWKS for offline checks. New flags go here.
 *
 * @internal
 * @module
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { CustomJwtProvider } from "../server/custom-jwt-provider";
import { ConfigLoadError, loadAuthConfig } from "./load-config";

export const DOCTOR_USAGE = `Usage: convex-custom-jwt doctor [<token> | - | --token-url <url>] [options]

Runs the Convex backend's customJwt checks on a token and prints each one with its fix.
The token is the argument, or is read from stdin when it is "-" or left out, or is fetched from a live
token endpoint with --token-url. It is never printed whole. With a JWKS URL, the live issuer is checked
too: the JWKS's Cache-Control, and whether the token's key is in every copy Convex may still hold.

Provider config (one of):
  --config <file>            convex/auth.config.ts, .js, .mjs or .cjs (default: ./convex/auth.config.ts or .js)
  --issuer <url>             a provider from flags: the tokens' iss
  --jwks <url|file>          its JWKS URL, or a local JWKS file (offline)
  --application-id <id>      its applicationID (the tokens' aud)
  --algorithm <RS256|ES256>  its algorithm (default RS256)

Other options:
  --token-url <url>          get the token from this endpoint (GET; { "token": … } or the bare JWT)
  --header "<name>: <value>" a request header for --token-url (repeatable), e.g. "cookie: session=…"
  --jwks-file <file>         use this JWKS instead of fetching the provider's URL (offline)
  --now <seconds>            check as of this time (Unix seconds) instead of now
  --json                     print the diagnosis as JSON
  -h, --help                 this help

Exit status: 0 when the backend accepts the token (warnings allowed), 1 when a check fails,
2 on a usage or config error.`;

/** `args` parsed as `doctor`'s flags (throws on an unknown flag). */
export function parseDoctorArgs(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: "string" },
      issuer: { type: "string" },
      jwks: { type: "string" },
      "application-id": { type: "string" },
      algorithm: { type: "string" },
      "jwks-file": { type: "string" },
      "token-url": { type: "string" },
      header: { type: "string", multiple: true },
      now: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

/** The flags as parsed. */
export type DoctorFlags = ReturnType<typeof parseDoctorArgs>["values"];

/** The providers to check against, and a JWKS given locally (offline) if any. */
export interface ProviderConfig {
  providers: unknown[];
  jwks?: string;
}

/** The provider config the flags select. Throws a {@link ConfigLoadError} that says what to pass instead. */
export async function resolveProviders(o: DoctorFlags): Promise<ProviderConfig> {
  let jwks = o["jwks-file"] !== undefined ? await readJwksFile(o["jwks-file"]) : undefined;
  if (o.issuer !== undefined || o.jwks !== undefined) {
    if (o.config !== undefined) {
      throw new ConfigLoadError("Give either --config or the provider flags (--issuer, --jwks…), not both.");
    }
    if (o.issuer === undefined || o.jwks === undefined) {
      throw new ConfigLoadError(
        `--${o.issuer === undefined ? "issuer" : "jwks"} is missing: a provider from flags needs both --issuer and ` +
          "--jwks (and --application-id, --algorithm when they apply).",
      );
    }
    let jwksUrl = o.jwks;
    if (!/^(https?|data):/i.test(jwksUrl)) {
      // A local file: check offline against it.
      jwks ??= await readJwksFile(jwksUrl);
      jwksUrl = pathToFileURL(resolve(jwksUrl)).href;
    }
    const provider: CustomJwtProvider = {
      type: "customJwt",
      issuer: o.issuer,
      jwks: jwksUrl,
      algorithm: (o.algorithm ?? "RS256") as CustomJwtProvider["algorithm"],
      ...(o["application-id"] !== undefined ? { applicationID: o["application-id"] } : {}),
    };
    return { providers: [provider], ...(jwks !== undefined ? { jwks } : {}) };
  }
  const file = o.config ?? ["convex/auth.config.ts", "convex/auth.config.js"].find((f) => existsSync(f));
  if (file === undefined) {
    throw new ConfigLoadError("No provider config: pass --config convex/auth.config.ts, or --issuer and --jwks.");
  }
  const providers = providersOf(await loadAuthConfig(file), file);
  return { providers, ...(jwks !== undefined ? { jwks } : {}) };
}

function providersOf(config: unknown, file: string): unknown[] {
  const providers = (config as { providers?: unknown } | undefined)?.providers;
  if (!Array.isArray(providers)) {
    throw new ConfigLoadError(
      `${file} has no \`providers\` array in its default export: it must \`export default { providers: [...] }\`, ` +
        "as Convex's auth config does.",
    );
  }
  return providers;
}

async function readJwksFile(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    throw new ConfigLoadError(
      `Could not read the JWKS file ${file} (${(err as Error).message}): pass the path of a JSON file holding the ` +
        'issuer\'s key set ({ "keys": [...] }).',
    );
  }
}
