/**
 * `convex-custom-jwt doctor`: check a token against a Convex `customJwt` provider config before deploying.
 *
 * @internal
 * @module
 */
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { parseHeader, parsePayload } from "../server/backend-rules";
import { diagnoseToken, type Diagnosis } from "../server/diagnose-token";
import type { CustomJwtProvider } from "../server/custom-jwt-provider";
import { fetchTokenFrom, parseHeaders } from "./fetch-token";
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

/** Where the CLI writes; injectable for tests. */
export interface DoctorIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
  isStdinTty: boolean;
}

/** `…` + the last 7 characters: enough to tell tokens apart, never the token. */
export const tokenTail = (token: string): string => `…${token.slice(-7)}`;

function providersFrom(config: unknown, file: string): unknown[] {
  const providers = (config as { providers?: unknown } | undefined)?.providers;
  if (!Array.isArray(providers)) {
    throw new ConfigLoadError(`${file} has no \`providers\` array in its default export.`);
  }
  return providers;
}

const mark = { pass: "PASS", fail: "FAIL", warn: "WARN", skip: "SKIP" } as const;

export function formatDiagnosis(token: string, d: Diagnosis): string {
  const header = parseHeader(token) ?? {};
  const claims = parsePayload(token) ?? {};
  const lines = [
    `Token ${tokenTail(token)}: kid ${JSON.stringify(header.kid ?? null)}, alg ` +
      `${JSON.stringify(header.alg ?? null)}; ` +
      `iss ${JSON.stringify(claims.iss ?? null)}, sub ${JSON.stringify(claims.sub ?? null)}, aud ` +
      `${JSON.stringify(claims.aud ?? null)}`,
    "",
  ];
  for (const f of d.findings) {
    const code = f.status === "pass" || f.status === "skip" ? "" : `${f.code}  `;
    lines.push(`${mark[f.status]}  ${f.check.padEnd(9)}  ${code}${f.message}`);
    if (f.backendMessage !== undefined && f.status !== "pass") lines.push(`      backend says: ${f.backendMessage}`);
    if (f.fix) lines.push(`      fix: ${f.fix}`);
  }
  lines.push("");
  lines.push(
    d.ok
      ? `OK: the backend accepts this token${d.findings.some((f) => f.status === "warn") ? " (see the warnings)" : ""}.`
      : `FAILED: the backend rejects this token with ${d.backendError?.code ?? "an error"}: ` +
          `${d.backendError?.message ?? "see above"}`,
  );
  return `${lines.join("\n")}\n`;
}

/** `args` parsed as `doctor`'s flags (throws on an unknown flag). */
function parseDoctorArgs(args: string[]) {
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

/** Run `doctor` with `args` (after the command name). Resolves to the exit status. */
export async function doctor(args: string[], io: DoctorIo): Promise<number> {
  let parsed: ReturnType<typeof parseDoctorArgs>;
  try {
    parsed = parseDoctorArgs(args);
  } catch (err) {
    io.stderr(`${(err as Error).message}\n\n${DOCTOR_USAGE}\n`);
    return 2;
  }
  const { values: o, positionals } = parsed;
  if (o.help) {
    io.stdout(`${DOCTOR_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 1) {
    io.stderr(`Expected at most one token argument, got ${positionals.length}.\n\n${DOCTOR_USAGE}\n`);
    return 2;
  }

  let token = positionals[0];
  if (o["token-url"] !== undefined) {
    if (token !== undefined) {
      io.stderr(`Give a token or --token-url, not both.\n\n${DOCTOR_USAGE}\n`);
      return 2;
    }
    try {
      token = await fetchTokenFrom(o["token-url"], parseHeaders(o.header ?? []));
    } catch (err) {
      io.stderr(`${(err as Error).message}\n`);
      return 2;
    }
  } else if (token === undefined || token === "-") {
    if (token === undefined && io.isStdinTty) {
      io.stderr(`Pass the token as an argument, or on stdin.\n\n${DOCTOR_USAGE}\n`);
      return 2;
    }
    token = await io.readStdin();
  }
  token = token.trim();
  if (token === "") {
    io.stderr("The token is empty.\n");
    return 2;
  }

  let now: number | undefined;
  if (o.now !== undefined) {
    const seconds = Number(o.now);
    if (!Number.isFinite(seconds)) {
      io.stderr(`--now must be Unix seconds, got ${JSON.stringify(o.now)}.\n`);
      return 2;
    }
    now = seconds * 1000;
  }

  let providers: unknown[];
  let jwks: unknown;
  try {
    if (o["jwks-file"] !== undefined) jwks = await readJwksFile(o["jwks-file"]);
    if (o.issuer !== undefined || o.jwks !== undefined) {
      if (o.config !== undefined) throw new ConfigLoadError("Give either --config or the provider flags, not both.");
      if (o.issuer === undefined || o.jwks === undefined)
        throw new ConfigLoadError("--issuer and --jwks are both needed.");
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
      providers = [provider];
    } else {
      const file = o.config ?? ["convex/auth.config.ts", "convex/auth.config.js"].find((f) => existsSync(f));
      if (file === undefined) {
        throw new ConfigLoadError("No provider config: pass --config convex/auth.config.ts, or --issuer and --jwks.");
      }
      providers = providersFrom(await loadAuthConfig(file), file);
    }
  } catch (err) {
    io.stderr(`${(err as Error).message}\n`);
    return 2;
  }

  const diagnosis = await diagnoseToken(token, providers, {
    ...(jwks !== undefined ? { jwks } : {}),
    ...(now !== undefined ? { now } : {}),
  });
  io.stdout(o.json ? `${JSON.stringify(diagnosis, null, 2)}\n` : formatDiagnosis(token, diagnosis));
  return diagnosis.ok ? 0 : 1;
}

async function readJwksFile(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    throw new ConfigLoadError(`Could not read the JWKS file ${file}: ${(err as Error).message}`);
  }
}
