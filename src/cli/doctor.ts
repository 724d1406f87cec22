/**
 * `convex-custom-jwt doctor`: check a token against a Convex `customJwt` provider config before deploying,
 * or a live issuer (`--token-url`, fetch-token.ts).
 * The flags and the config they select are in `doctor-options.ts`, the output in `format-diagnosis.ts`; the
 * checks themselves are `diagnoseToken`'s (`src/server/`).
 *
 * @internal
 * @module
 */
import { diagnoseToken } from "../server/diagnose-token";
import { DOCTOR_USAGE, parseDoctorArgs, resolveProviders, type ProviderConfig } from "./doctor-options";
import { fetchTokenFrom, parseHeaders } from "./fetch-token";
import { formatDiagnosis } from "./format-diagnosis";

export { DOCTOR_USAGE };

/** Where the CLI writes; injectable for tests. */
export interface DoctorIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
  isStdinTty: boolean;
}

/** Run `doctor` with `args` (after the command name). Resolves to the exit status. */
export async function doctor(args: string[], io: DoctorIo): Promise<number> {
  let parsed: ReturnType<typeof parseDoctorArgs>;
  try {
    parsed = parseDoctorArgs(args);
  } catch (err) {
    const message = (err as Error).message.replace(/\.$/, "");
    io.stderr(`${message}. Check the flags against the usage:\n\n${DOCTOR_USAGE}\n`);
    return 2;
  }
  const { values: o, positionals } = parsed;
  if (o.help) {
    io.stdout(`${DOCTOR_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 1) {
    io.stderr(
      `Expected at most one token argument, got ${positionals.length}: pass the JWT alone (quoted), or on stdin.` +
        `\n\n${DOCTOR_USAGE}\n`,
    );
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
      io.stderr(`No token: pass the JWT as the argument, or pipe it on stdin.\n\n${DOCTOR_USAGE}\n`);
      return 2;
    }
    token = await io.readStdin();
  }
  token = token.trim();
  if (token === "") {
    io.stderr("The token is empty: pass the JWT as the argument, or pipe it on stdin.\n");
    return 2;
  }

  let now: number | undefined;
  if (o.now !== undefined) {
    const seconds = Number(o.now);
    if (!Number.isFinite(seconds)) {
      io.stderr(`--now must be a time in Unix seconds (e.g. 1767225600), got ${JSON.stringify(o.now)}.\n`);
      return 2;
    }
    now = seconds * 1000;
  }

  let config: ProviderConfig;
  try {
    config = await resolveProviders(o);
  } catch (err) {
    io.stderr(`${(err as Error).message}\n`);
    return 2;
  }

  const diagnosis = await diagnoseToken(token, config.providers, {
    ...(config.jwks !== undefined ? { jwks: config.jwks } : {}),
    ...(now !== undefined ? { now } : {}),
  });
  io.stdout(o.json ? `${JSON.stringify(diagnosis, null, 2)}\n` : formatDiagnosis(token, diagnosis));
  return diagnosis.ok ? 0 : 1;
}
