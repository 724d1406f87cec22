/**
 * Dispatch `convex-custom-jwt <command>`.
 *
 * @internal
 * @module
 */
import { doctor, DOCTOR_USAGE, type DoctorIo } from "./doctor";

const USAGE = `Usage: convex-custom-jwt <command>

Commands:
  doctor    check a JWT against your Convex customJwt provider config (see: convex-custom-jwt doctor --help)`;

async function readStdin(): Promise<string> {
  let text = "";
  process.stdin.setEncoding("utf8");
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

const processIo: DoctorIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  readStdin,
  isStdinTty: Boolean(process.stdin.isTTY),
};

/** Run the CLI with `argv` (without `node` and the script). Resolves to the exit status; never rejects. */
export async function run(argv: string[], io: DoctorIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "doctor") return await doctor(rest, io);
    if (command === undefined || command === "-h" || command === "--help" || command === "help") {
      io.stdout(`${USAGE}\n\n${DOCTOR_USAGE}\n`);
      return command === undefined ? 2 : 0;
    }
    io.stderr(`Unknown command ${JSON.stringify(command)}: the one command is doctor.\n\n${USAGE}\n`);
    return 2;
  } catch (err) {
    io.stderr(
      `convex-custom-jwt: unexpected error: ${(err as Error)?.message ?? String(err)}. This is a bug in ` +
        "convex-custom-jwt: please report it with the command you ran (never the whole token).\n",
    );
    return 2;
  }
}
