/**
 * `doctor` against a live issuer: the token fetched from its token endpoint (`--token-url`, never printed),
 * the JWKS's Cache-Control, and whether the token's key is in every JWKS copy Convex may still hold. Run
 * in-process (the subprocess runs are in doctor.test.ts). The pain points: a JWKS without Cache-Control
 * (fetched by the backend for every token), and a key that signs before Convex's cached JWKS has it.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportPKCS8, generateKeyPair } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { doctor, type DoctorIo } from "../../src/cli/doctor";
import { createIssuer, jwksHandler, tokenHandler } from "../../src/issuer/index";
import { createTestIssuer } from "../../src/testing/index";
import { toNodeListener } from "../issuer/node-listener";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Serve `routes` (path → Fetch handler) on loopback; returns the base URL. */
async function serve(routes: Record<string, (request: Request) => Response | Promise<Response>>): Promise<string> {
  const server = createServer((req, res) => {
    const route = routes[new URL(req.url ?? "/", "http://x").pathname];
    if (route) void toNodeListener(route)(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function run(args: string[]) {
  let stdout = "";
  let stderr = "";
  const io: DoctorIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readStdin: async () => "",
    isStdinTty: true,
  };
  const status = await doctor(args, io);
  return { status, stdout, stderr };
}

const provider = (url: string, algorithm = "ES256") => [
  "--issuer",
  "https://auth.test",
  "--jwks",
  `${url}/jwks`,
  "--application-id",
  "convex",
  "--algorithm",
  algorithm,
];
const es256 = async () => exportPKCS8((await generateKeyPair("ES256", { extractable: true })).privateKey);

describe("doctor --token-url: a live issuer", () => {
  it("the kit after a rotation: every check passes, the token is never printed", async () => {
    const now = Date.now();
    const issuer = await createIssuer({
      issuer: "https://auth.test",
      applicationID: "convex",
      keys: [
        { kid: "2025-01", privateKey: await es256() },
        { kid: "2025-06", privateKey: await es256(), publishFrom: now - 600_000 }, // signing for 4 minutes
      ],
    });
    const url = await serve({
      "/jwks": jwksHandler(issuer),
      "/token": tokenHandler(issuer, { authenticate: (r) => r.headers.get("x-user") }),
    });
    const result = await run(["--token-url", `${url}/token`, "--header", "x-user: alice", ...provider(url)]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^PASS {2}jwks {7}2 key\(s\) from .* Cache-Control: public, max-age=300\)\.$/m);
    expect(result.stdout).toMatch(/^PASS {2}kid {8}kid "2025-06" is in the JWKS, and in every copy Convex may hold/m);
    expect(result.stdout).toMatch(/^OK: the backend accepts this token\.$/m);
    expect(result.stdout).not.toMatch(/eyJ[\w-]{20,}\.[\w-]{20,}\./);
  });

  it("a hand-rolled issuer: no Cache-Control, and a key that signs the moment it is published", async () => {
    const naive = await createTestIssuer({ issuer: "https://auth.test", algorithm: "ES256" });
    await naive.rotateKey({ keepOld: true });
    const jwks = (headers: Record<string, string>) => () =>
      new Response(JSON.stringify(naive.jwks()), { headers: { "Content-Type": "application/json", ...headers } });
    const token = async () => Response.json({ token: await naive.sign() });
    const bare = await serve({ "/jwks": jwks({}), "/token": token });
    const noCache = await run(["--token-url", `${bare}/token`, ...provider(bare)]);
    expect(noCache.status).toBe(0);
    expect(noCache.stdout).toMatch(
      /^WARN {2}jwks {7}JWKS_CACHE_MISSING .*no usable max-age, so Convex fetches the JWKS/m,
    );
    expect(noCache.stdout).toMatch(/fix: The issuer must serve the JWKS with `Cache-Control: public, max-age=300`/);

    const fresh = jwks({ "Cache-Control": "max-age=300", "Last-Modified": new Date().toUTCString() });
    const rotated = await serve({ "/jwks": fresh, "/token": token });
    const justRotated = await run(["--token-url", `${rotated}/token`, ...provider(rotated)]);
    expect(justRotated.stdout).toMatch(
      new RegExp(`^WARN {2}kid {8}KID_MAYBE_NOT_CACHED {2}kid "${naive.kid}" is in the JWKS as its newest key`, "m"),
    );
    expect(justRotated.stdout).toContain(
      `backend says: Could not decode token. The JWT's 'kid' (key ID) header is '${naive.kid}'`,
    );
  });

  it("a 401 from the token endpoint says which session to pass; a token and --token-url is a usage error", async () => {
    const url = await serve({ "/token": () => Response.json({ error: "signed_out" }, { status: 401 }) });
    const signedOut = await run(["--token-url", `${url}/token?secret=abc`, ...provider(url)]);
    expect(signedOut.status).toBe(2);
    expect(signedOut.stderr).toBe(
      `The token endpoint ${url}/token?… answered 401: nobody is signed in for this request. Pass the session it ` +
        'expects, e.g. --header "cookie: session=…" or --header "authorization: Bearer …".\n',
    );
    const both = await run(["a.b.c", "--token-url", `${url}/token`, ...provider(url)]);
    expect([both.status, both.stderr.split("\n")[0]]).toEqual([2, "Give a token or --token-url, not both."]);
    const badHeader = await run(["--token-url", `${url}/token`, "--header", "nocolon", ...provider(url)]);
    expect([badHeader.status, badHeader.stderr]).toEqual([2, '--header must be "Name: value", got "nocolon".\n']);
  });
});
