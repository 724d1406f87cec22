/**
 * The kit works from a plain Node script, with no test framework loaded: an issuer, the local deployment,
 * the real ConvexHttpClient and the fake clock, run in a child process (node + tsx on the sources).
 * Pain point guarded: test helpers that only work inside one runner (convex-auth-internals §6: the only npm
 * alternative, convex-test, does no JWT validation at all).
 */
import { spawn } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { join } from "node:path";
import { expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX = pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;
const KIT = pathToFileURL(join(ROOT, "src/testing/index.ts")).href;

const script = `
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { createFakeClock, createTestIssuer, startLocalConvexDeployment } from ${JSON.stringify(KIT)};

const clock = createFakeClock({ now: Date.UTC(2030, 0, 1) });
const issuer = await createTestIssuer({ algorithm: "ES256", now: () => clock.now() });
const deployment = await startLocalConvexDeployment({ providers: [issuer.provider], now: () => clock.now() });
const client = new ConvexHttpClient(deployment.url, { skipConvexDeploymentUrlCheck: true, logger: false });
client.setAuth(await issuer.sign());
const before = await client.query(anyApi.auth.whoami, {});
await clock.advance(16 * 60_000); // past the 15-minute token's exp (+5 s leeway)
const after = await client.query(anyApi.auth.whoami, {}).catch((e) => JSON.parse(e.message));
await deployment.close();
const loaded = Object.keys(globalThis).filter((k) => /vitest|jest|mocha/i.test(k));
process.stdout.write(JSON.stringify({ subject: before.subject, after, loaded }));
`;

it("runs in a plain Node process with no test framework", async () => {
  const child = spawn(process.execPath, ["--import", TSX, "--input-type=module", "-e", script], { cwd: ROOT });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += String(d)));
  child.stderr.on("data", (d) => (err += String(d)));
  const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(err).toBe("");
  expect(status).toBe(0);
  expect(JSON.parse(out)).toEqual({
    subject: "user_1",
    after: { code: "InvalidAuthHeader", message: "Could not validate token: Token expired 60 seconds ago" },
    loaded: [],
  });
});
