/**
 * `npm run example:nextjs`: the Next.js example with everything it needs, on this machine only — a signing
 * key for the app's issuer (`lib/dev-issuer.ts`, on `convex-custom-jwt/issuer`), a local Convex deployment
 * whose `customJwt` provider reads the app's JWKS (`/api/jwks`; with the example's two functions), and
 * Next.js: `next dev` by default, `next build` then `next start` with `--production` (what the end-to-end
 * test runs). Ctrl-C stops it all.
 *
 * Env: `PORT` (default 3000), `TOKEN_LIFETIME_SEC` (default 60, so rotations are seen within a minute).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { exportPKCS8, generateKeyPair } from "jose";
import { createIssuer } from "../../src/issuer/index";
import { type LocalConvexDeployment, startLocalConvexDeployment } from "../../src/testing/index";

const here = fileURLToPath(new URL(".", import.meta.url));
const NEXT = fileURLToPath(new URL("../../node_modules/next/dist/bin/next", import.meta.url));
const ISSUER = "https://issuer.nextjs-example.test";
const APPLICATION_ID = "convex";

export interface NextExample {
  /** The app's URL, e.g. `http://127.0.0.1:3000/`. */
  url: string;
  deployment: LocalConvexDeployment;
  /** How long `next build` took, in ms (0 with `next dev`). */
  buildMs: number;
  close(): Promise<void>;
}

export interface NextExampleOptions {
  /** `"production"`: `next build` then `next start`; `"dev"`: `next dev`. @default "dev" */
  mode?: "production" | "dev";
  /** 0 or unset: a free port. */
  port?: number;
  lifetimeSec?: number;
  /** Keep Next's output to itself (it is shown when a step fails). */
  quiet?: boolean;
}

/** Start the deployment and Next.js (building it first in production mode). */
export async function startNextExample(options: NextExampleOptions = {}): Promise<NextExample> {
  const { mode = "dev", quiet = false } = options;
  // The app's signing key, as a real app keeps it in its secret store: a PKCS#8 PEM, with its kid.
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const key = { kid: `dev-${randomUUID().slice(0, 8)}`, privateKey: await exportPKCS8(privateKey) };
  const port = options.port || (await freePort());
  const url = `http://127.0.0.1:${port}/`;
  // The provider for this issuer, from the issuer kit: the deployment reads the JWKS the app serves.
  const issuer = await createIssuer({ issuer: ISSUER, applicationID: APPLICATION_ID, keys: [key] });
  const deployment = await startLocalConvexDeployment({
    providers: [issuer.provider(new URL("/api/jwks", url).href)],
    functions: exampleFunctions(),
  });
  const env = {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: "1",
    NEXT_PUBLIC_CONVEX_URL: deployment.url,
    DEV_ISSUER_KEY: key.privateKey,
    DEV_ISSUER_KID: key.kid,
    DEV_ISSUER: ISSUER,
    DEV_APPLICATION_ID: APPLICATION_ID,
    DEV_TOKEN_LIFETIME_SEC: String(options.lifetimeSec ?? 60),
  };
  let server: ChildProcess | undefined;
  try {
    let buildMs = 0;
    if (mode === "production") {
      const started = Date.now();
      await run(spawnNext(["build"], env), "next build", quiet);
      buildMs = Date.now() - started;
    }
    server = spawnNext([mode === "production" ? "start" : "dev", "--port", String(port), "--hostname", "127.0.0.1"], {
      ...env,
      PORT: String(port),
    });
    await ready(server, url, quiet);
    const child = server;
    return {
      url,
      deployment,
      buildMs,
      async close() {
        await stop(child);
        await deployment.close();
      },
    };
  } catch (error) {
    if (server) await stop(server);
    await deployment.close();
    throw error;
  }
}

/** The example's Convex functions: `users:me` and `notes:add`, each user's notes kept in memory. */
function exampleFunctions() {
  const notes = new Map<string, string[]>([["alice", ["Written before this page was loaded."]]]);
  return {
    "users:me": {
      type: "query" as const,
      handler: ({ identity }: { identity: Record<string, unknown> | null }) => {
        const subject = identity?.subject as string | undefined;
        return subject === undefined ? null : { subject, notes: notes.get(subject) ?? [] };
      },
    },
    "notes:add": {
      type: "mutation" as const,
      handler: ({ identity }: { identity: Record<string, unknown> | null }, { body }: { body: string }) => {
        const subject = identity?.subject as string | undefined;
        if (subject === undefined) throw new Error("Sign in to add a note.");
        notes.set(subject, [...(notes.get(subject) ?? []), body]);
        return null;
      },
    },
  };
}

function spawnNext(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  // Its own process group, so that stopping it stops the workers `next` starts too.
  return spawn(process.execPath, [NEXT, ...args], {
    cwd: here,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Wait for `child` to exit 0; otherwise throw with the end of its output. */
async function run(child: ChildProcess, what: string, quiet: boolean): Promise<void> {
  const output = collect(child, quiet);
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`${what} exited with ${code}:\n${output().slice(-4_000)}`);
}

/** Wait until `url` answers (up to 60 s); throw with the server's output if it exits first. */
async function ready(child: ChildProcess, url: string, quiet: boolean): Promise<void> {
  const output = collect(child, quiet);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next exited with ${child.exitCode}:\n${output().slice(-4_000)}`);
    const ok = await fetch(new URL("/api/jwks", url)).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`next did not answer at ${url} within 60 s:\n${output().slice(-4_000)}`);
}

function collect(child: ChildProcess, quiet: boolean): () => string {
  let text = "";
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on("data", (chunk: Buffer) => {
      text += String(chunk);
      if (!quiet) process.stdout.write(chunk);
    });
  }
  return () => text;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = once(child, "exit");
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return; // already gone
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }, 5_000);
  await exited;
  clearTimeout(timer);
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const production = process.argv.includes("--production");
  const example = await startNextExample({
    mode: production ? "production" : "dev",
    port: process.env.PORT ? Number(process.env.PORT) : 3000,
    lifetimeSec: process.env.TOKEN_LIFETIME_SEC ? Number(process.env.TOKEN_LIFETIME_SEC) : undefined,
  });
  console.log(`\nNext.js example (${production ? "next start" : "next dev"}): ${example.url}`);
  console.log(`  local Convex deployment ${example.deployment.url}, issuer ${ISSUER}`);
  console.log("  sign in with any name, then reload: the page arrives signed in. Ctrl-C to stop.\n");
  const stopAll = () => void example.close().then(() => process.exit(0));
  process.once("SIGINT", stopAll);
  process.once("SIGTERM", stopAll);
}
