/**
 * `convex-custom-jwt doctor`, run as a subprocess (node + tsx on the sources, as `bin` runs the build):
 * token as an argument or on stdin, provider from flags or from a convex/auth.config.ts|js, offline
 * against a JWKS file or a localhost URL; exit status 0/1/2; the whole token never printed.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile, mkdir, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestIssuer, type ServedTestIssuer, type TestIssuer } from "../../src/testing";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(ROOT, "src/cli/bin.ts");
/** tsx's loader by absolute URL, so the CLI can run from any working directory. */
const TSX = pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
const SERVER_ENTRY = join(ROOT, "src/server/index.ts");

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI; `stdin` is written then closed (or stdin is left empty and closed). */
function cli(args: string[], opts: { stdin?: string; cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX, BIN, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: "1", ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += String(d)));
    child.stderr.on("data", (d) => (stderr += String(d)));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(opts.stdin ?? "");
  });
}

let issuer: TestIssuer;
let served: ServedTestIssuer;
let dir: string;
const nowSec = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  issuer = await createTestIssuer({ algorithm: "ES256" });
  served = await issuer.serve();
  dir = await mkdtemp(join(tmpdir(), "ccj-doctor-"));
});
afterAll(async () => {
  await served?.close();
  await rm(dir, { recursive: true, force: true });
});

const flags = () => [
  "--issuer",
  issuer.issuer,
  "--jwks",
  served.jwksUrl,
  "--application-id",
  "convex",
  "--algorithm",
  "ES256",
];

function expectNoWholeToken(run: Run, token: string) {
  expect(run.stdout + run.stderr).not.toContain(token);
  expect(run.stdout + run.stderr).not.toContain(token.split(".")[2]);
}

describe("convex-custom-jwt doctor", () => {
  it("passes a good token given as an argument (JWKS URL on localhost) and exits 0", async () => {
    const token = await issuer.sign();
    const run = await cli(["doctor", token, ...flags()]);
    expect(run.status).toBe(0);
    for (const check of ["config", "format", "provider", "jwks", "kid", "alg", "signature", "exp", "claims"]) {
      expect(run.stdout).toMatch(new RegExp(`^PASS  ${check}`, "m"));
    }
    expect(run.stdout).toContain(`Token …${token.slice(-6)}`);
    expect(run.stdout).toContain("OK: the backend accepts this token.");
    expectNoWholeToken(run, token);
  });

  it("reads the token from stdin, prints each failure with the backend's string and the fix, and exits 1", async () => {
    const token = await issuer.mint({ iat: nowSec() - 7200, exp: nowSec() - 3600 });
    const run = await cli(["doctor", ...flags()], { stdin: `${token}\n` });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^FAIL {2}exp +TOKEN_EXPIRED {2}exp \d+ is 36\d\d s in the past/m);
    expect(run.stdout).toMatch(/backend says: Could not validate token: Token expired 36\d\d seconds ago/);
    expect(run.stdout).toMatch(/fix: The app must send a token that has not expired/);
    expect(run.stdout).toMatch(
      /^FAILED: the backend rejects this token with InvalidAuthHeader: Could not validate token: Token expired/m,
    );
    expectNoWholeToken(run, token);
  });

  it("works offline against a JWKS file (with `-` for stdin), and names an unknown kid", async () => {
    const jwksFile = join(dir, "jwks.json");
    await writeFile(jwksFile, JSON.stringify(issuer.jwks()));
    const ok = await cli(
      [
        "doctor",
        "-",
        "--issuer",
        issuer.issuer,
        "--jwks",
        jwksFile,
        "--application-id",
        "convex",
        "--algorithm",
        "ES256",
      ],
      {
        stdin: await issuer.sign(),
      },
    );
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^PASS {2}jwks +1 key\(s\), given locally/m);

    const bad = await cli([
      "doctor",
      await issuer.mint({ kid: "old-key" }),
      "--issuer",
      issuer.issuer,
      "--jwks",
      "http://127.0.0.1:1/never",
      "--jwks-file",
      jwksFile,
      "--application-id",
      "convex",
      "--algorithm",
      "ES256",
    ]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/^FAIL {2}kid +KID_UNKNOWN/m);
    expect(bad.stdout).toContain(
      "backend says: Could not decode token. The JWT's 'kid' (key ID) header is 'old-key', does this key match any " +
        "key in the provider's JWKS?",
    );
  });

  it(
    "loads convex/auth.config.ts (compiled with esbuild, env vars and an import of /server) and finds the audience " +
      "mismatch",
    async () => {
      const project = join(dir, "ts-project");
      await mkdir(join(project, "convex"), { recursive: true });
      await mkdir(join(project, "node_modules"), { recursive: true });
      await writeFile(
        join(project, "convex/auth.config.ts"),
        `import { customJwtProvider } from ${JSON.stringify(SERVER_ENTRY)};
type Algorithm = "RS256" | "ES256";
const algorithm: Algorithm = "ES256";
export default {
  providers: [
    customJwtProvider({
      issuer: process.env.TEST_ISSUER,
      jwks: process.env.TEST_JWKS,
      applicationID: "convex",
      algorithm,
    }),
  ],
};
`,
      );
      const token = await issuer.mint({ aud: "my-other-app" });
      // No --config: ./convex/auth.config.ts is found from the working directory.
      const run = await cli(["doctor", token], {
        cwd: project,
        env: { TEST_ISSUER: issuer.issuer, TEST_JWKS: served.jwksUrl },
      });
      expect(run.stderr).toBe("");
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(
        /^FAIL {2}provider +AUDIENCE_MISMATCH {2}aud "my-other-app" does not contain applicationID "convex"/m,
      );
      expect(run.stdout).toContain(
        "FAILED: the backend rejects this token with NoAuthProvider: No auth provider found matching the given token.",
      );
      // The compiled copy lives outside convex/ (in node_modules/.cache) and is removed.
      expect((await readdir(join(project, "convex"))).sort()).toEqual(["auth.config.ts"]);
      expect(await readdir(join(project, "node_modules/.cache/convex-custom-jwt"))).toEqual([]);
    },
  );

  it("loads a .js config given with --config and prints JSON with --json", async () => {
    const file = join(dir, "auth.config.js");
    await writeFile(
      file,
      `export default { providers: [{ type: "customJwt", issuer: ${JSON.stringify(issuer.issuer)}, jwks: ` +
        `${JSON.stringify(served.jwksUrl)}, algorithm: "ES256" }] };\n`,
    );
    const token = await issuer.sign();
    const run = await cli(["doctor", token, "--config", file, "--json"]);
    expect(run.status).toBe(0);
    const diagnosis = JSON.parse(run.stdout) as { ok: boolean; findings: { code: string; status: string }[] };
    expect(diagnosis.ok).toBe(true);
    expect(diagnosis.findings[0]).toMatchObject({ status: "warn", code: "APPLICATION_ID_MISSING" });
    expectNoWholeToken(run, token);
  });

  it("exits 2 with a message on usage and config errors", async () => {
    const token = await issuer.sign();
    const noConfig = await cli(["doctor", token], { cwd: dir });
    expect(noConfig.status).toBe(2);
    expect(noConfig.stderr).toContain(
      "No provider config: pass --config convex/auth.config.ts, or --issuer and --jwks.",
    );
    const empty = await cli(["doctor", ...flags()], { stdin: "" });
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain("The token is empty: pass the JWT as the argument, or pipe it on stdin.");
    const missing = await cli(["doctor", token, "--config", join(dir, "nope.ts")]);
    expect([missing.status, missing.stderr.trim()]).toEqual([
      2,
      `${join(dir, "nope.ts")}: no such file. Pass the path of your convex/auth.config.ts (or .js), or give the ` +
        "provider as flags (--issuer, --jwks, --application-id, --algorithm).",
    ]);
    const unknown = await cli(["frobnicate"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
    for (const run of [noConfig, empty, missing]) expectNoWholeToken(run, token);
  });

  it("says what to pass instead when a flag is unknown or a provider flag is missing", async () => {
    const token = await issuer.sign();
    const unknownFlag = await cli(["doctor", token, "--issuer-url", issuer.issuer]);
    expect(unknownFlag.status).toBe(2);
    expect(unknownFlag.stderr).toMatch(/Unknown option '--issuer-url'.*\. Check the flags against the usage:/s);
    const noJwks = await cli(["doctor", token, "--issuer", issuer.issuer]);
    expect(noJwks.status).toBe(2);
    expect(noJwks.stderr).toContain("--jwks is missing: a provider from flags needs both --issuer and --jwks");
    for (const run of [unknownFlag, noJwks]) expectNoWholeToken(run, token);
  });

  it("prints its help", async () => {
    const run = await cli(["doctor", "--help"]);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("Usage: convex-custom-jwt doctor");
  });
});
