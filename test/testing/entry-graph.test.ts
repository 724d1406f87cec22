/**
 * Budgets: /testing, /server and /issuer never reach the core's bundle, /server needs no dependency, /issuer
 * runs wherever WebCrypto does (no Node API), and the kit never imports a test framework (it must work under
 * jest, node:test or a plain script). Checked on the sources' import graph with esbuild, so it runs before
 * any build.
 */
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Every file (relative to the repo) an entry pulls in, packages included. */
async function inputsOf(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "esm",
    logLevel: "silent",
    // Peers stay external, as in the published package; everything else is followed.
    external: ["convex", "convex/*", "react", "react-dom", "msw", "ws"],
  });
  return Object.keys(result.metafile!.inputs);
}

describe("entry graph", () => {
  it("the core (and /convex) import nothing from /testing, /server, /issuer, /cli, jose, msw or ws", async () => {
    for (const entry of ["src/index.ts", "src/convex/index.ts"]) {
      const inputs = await inputsOf(entry);
      expect(inputs.length).toBeGreaterThan(1);
      expect(inputs.filter((f) => /src\/(testing|server|issuer|cli)\/|node_modules\/(jose|msw|ws)\//.test(f))).toEqual(
        [],
      );
    }
  });

  it("/server uses no package but jwt-decode (WebCrypto, not jose), and nothing from /testing", async () => {
    const inputs = await inputsOf("src/server/index.ts");
    const packages = inputs
      .filter((f) => f.includes("node_modules"))
      .map((f) => f.split("node_modules/")[1]?.split("/")[0]);
    expect([...new Set(packages)]).toEqual(["jwt-decode"]);
    expect(inputs.filter((f) => f.includes("src/testing/"))).toEqual([]);
  });

  it("/issuer uses jose (jwt-decode via the shared rules), no Node API, nothing from /testing or /cli", async () => {
    const result = await build({
      entryPoints: ["src/issuer/index.ts"],
      absWorkingDir: ROOT,
      bundle: true,
      write: false,
      metafile: true,
      platform: "neutral",
      format: "esm",
      logLevel: "silent",
      mainFields: ["module", "main"],
    });
    const inputs = Object.keys(result.metafile.inputs);
    const packages = new Set(
      inputs.filter((f) => f.includes("node_modules")).map((f) => f.split("node_modules/")[1]?.split("/")[0]),
    );
    expect([...packages].sort()).toEqual(["jose", "jwt-decode"]);
    expect(inputs.filter((f) => /src\/(testing|cli|react|convex|browser)\//.test(f))).toEqual([]);
    // platform "neutral" leaves no Node builtin resolvable: a node: import would have failed the build.
    expect(result.errors).toEqual([]);
  });

  it("/testing and the CLI never import vitest (or any test framework)", async () => {
    for (const entry of ["src/testing/index.ts", "src/cli/bin.ts"]) {
      const inputs = await inputsOf(entry);
      expect(inputs.filter((f) => /node_modules\/(vitest|@vitest|jest|mocha)/.test(f))).toEqual([]);
    }
    expect(await inputsOf("src/testing/index.ts")).toContainEqual(expect.stringMatching(/node_modules\/jose\//));
  });
});
