/**
 * A real Node process: a script awaiting its first token survives a 503 on the first fetch (the retry timer
 * keeps the process alive while a caller waits), and exits on its own once it has the token (the refresh
 * timer alone keeps nothing alive). Today the script exits silently (code 13 as ESM) before the retry.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const entry = fileURLToPath(new URL("../../src/index.ts", import.meta.url));

it("a Node script waiting for a token outlives a 503 on the first fetch, then exits by itself", () => {
  const dir = mkdtempSync(join(tmpdir(), "cj-node-"));
  const script = join(dir, "script.mts");
  writeFileSync(
    script,
    `
import { createTokenManager, TokenEndpointError } from ${JSON.stringify(entry)};
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
const iat = Math.floor(Date.now() / 1000);
const jwt = b64({ alg: "none" }) + "." + b64({ sub: "u", iat, exp: iat + 900 }) + ".sig";
let calls = 0;
const tokens = createTokenManager({
  retry: { baseDelayMs: 300 },
  clock: { random: () => 1 },
  fetchToken: async () => {
    if (calls++ === 0) throw new TokenEndpointError(503, "down", { retryable: true });
    return jwt;
  },
});
const token = await tokens.getToken();
console.log(token === jwt ? "GOT" : "WRONG", calls);
`,
  );
  const run = spawnSync(process.execPath, ["--import", "tsx", script], {
    cwd: process.cwd(),
    encoding: "utf8",
    timeout: 30_000,
  });
  expect(run.stderr).toBe("");
  expect(run.stdout.trim()).toBe("GOT 2");
  expect(run.status).toBe(0); // not 13 ("unsettled top-level await"); not null (killed: it did not exit by itself)
}, 40_000);
