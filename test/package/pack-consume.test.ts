/**
 * Pack the package and consume it as a user would, with no flags: ESM and CJS imports of every entry,
 * a TypeScript consumer under `moduleResolution` node16 and bundler, a browser bundle with no Node
 * builtins, and a clean checkout packed as a git install packs it (which needs `prepare` to build dist/).
 *
 * Guards against: a git install with no dist/ (every import fails), a peer range that makes
 * `npm install` fail with ERESOLVE, types that only resolve under one moduleResolution, and a browser
 * bundle that drags in `node:` modules.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  name: string;
  exports: Record<string, unknown>;
  devDependencies: Record<string, string>;
};
const entries = Object.keys(pkg.exports)
  .filter((key) => key !== "./package.json")
  .map((key) => (key === "." ? pkg.name : `${pkg.name}/${key.slice(2)}`));
/** What a consumer installs next to the package, at the versions this repository tests with. */
/** (msw: an optional peer that `convex-custom-jwt/testing/msw` needs.) */
const companions = ["convex", "typescript", "esbuild", "react", "@types/react", "@types/node", "msw"].map(
  (name) => `${name}@${pkg.devDependencies[name]!.replace(/^\^/, "")}`,
);

const scratch = mkdtempSync(join(tmpdir(), "convex-custom-jwt-consumer-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 240_000 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${e.stdout ?? ""}\n${e.stderr ?? e.message}`);
  }
}

function project(name: string, packageJson: Record<string, unknown> = {}): string {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, ...packageJson }, null, 2));
  return dir;
}

const CONSUMER_TS = `
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { ConvexReactClient } from "convex/react";
import { createTokenManager, httpTokenFetcher, type TokenSnapshot } from "convex-custom-jwt";
import { connectConvex, convexTokenFetcher, type ConvexTokenFetcher } from "convex-custom-jwt/convex";

const tokens = createTokenManager({ fetchToken: httpTokenFetcher({ url: "https://example.com/api/convex-token" }) });
const url = "https://happy-otter-123.convex.cloud";
const disconnects: Array<() => void> = [
  connectConvex(new ConvexClient(url), tokens),
  connectConvex(new ConvexReactClient(url), tokens, { onChange: (ok: boolean) => void ok }),
  connectConvex(new ConvexHttpClient(url), tokens),
];
const fetchToken: ConvexTokenFetcher = convexTokenFetcher(tokens, { authRefreshTokenLeewaySeconds: 10 });
const snapshot: TokenSnapshot = tokens.getSnapshot();
export { disconnects, fetchToken, snapshot };
`;

function tsconfig(module: string, moduleResolution: string, include: string[]) {
  return JSON.stringify({
    compilerOptions: {
      strict: true,
      noEmit: true,
      target: "ES2022",
      lib: ["ES2022", "DOM"],
      module,
      moduleResolution,
      types: ["node"],
      skipLibCheck: false,
    },
    include,
  });
}

describe("the packed package, installed without flags", () => {
  let consumer: string;
  beforeAll(() => {
    // `npm pack` runs `prepare` (the build) and prints its output before the tarball's name.
    const tarball = run("npm", ["pack", "--pack-destination", scratch], root).trim().split("\n").at(-1)!;
    expect(tarball).toMatch(/\.tgz$/);
    consumer = project("consumer", { type: "module" });
    run("npm", ["install", "--no-audit", "--no-fund", join(scratch, tarball), ...companions], consumer);
  });

  it("imports every entry as ESM and as CJS", () => {
    for (const entry of entries) {
      const esm = run(
        "node",
        [
          "--input-type=module",
          "-e",
          `const m = await import(${JSON.stringify(entry)}); console.log(Object.keys(m).sort().join(","))`,
        ],
        consumer,
      );
      const cjs = run(
        "node",
        ["-e", `console.log(Object.keys(require(${JSON.stringify(entry)})).sort().join(","))`],
        consumer,
      );
      expect(esm.trim(), entry).not.toBe("");
      expect(cjs.trim(), entry).toBe(esm.trim());
    }
    const both = run(
      "node",
      [
        "-e",
        'const c = require("convex-custom-jwt"); const v = require("convex-custom-jwt/convex"); console.log(typeof ' +
          "c.createTokenManager, typeof v.connectConvex)",
      ],
      consumer,
    );
    expect(both.trim()).toBe("function function");
  });

  it("typechecks a consumer of ConvexClient, ConvexReactClient and ConvexHttpClient under node16 and bundler", () => {
    writeFileSync(join(consumer, "consumer.ts"), CONSUMER_TS);
    // A CommonJS file of the same project: node16 picks the .d.cts types for it.
    writeFileSync(
      join(consumer, "consumer-cjs.cts"),
      `import jwt = require("convex-custom-jwt");\nimport adapter = require("convex-custom-jwt/convex");\nexport ` +
        `const ok: [typeof jwt.createTokenManager, typeof adapter.connectConvex] = [jwt.createTokenManager, ` +
        `adapter.connectConvex];\n`,
    );
    writeFileSync(
      join(consumer, "tsconfig.node16.json"),
      tsconfig("node16", "node16", ["consumer.ts", "consumer-cjs.cts"]),
    );
    writeFileSync(join(consumer, "tsconfig.bundler.json"), tsconfig("esnext", "bundler", ["consumer.ts"]));
    run(join(consumer, "node_modules/.bin/tsc"), ["-p", "tsconfig.node16.json"], consumer);
    run(join(consumer, "node_modules/.bin/tsc"), ["-p", "tsconfig.bundler.json"], consumer);
  });

  it("bundles for the browser with esbuild, with no Node builtin in the bundle", () => {
    writeFileSync(
      join(consumer, "browser.ts"),
      `import { ConvexClient } from "convex/browser";\nimport { createTokenManager, httpTokenFetcher } from ` +
        `"convex-custom-jwt";\nimport { connectConvex } from "convex-custom-jwt/convex";\nconst tokens = ` +
        `createTokenManager({ fetchToken: httpTokenFetcher({ url: "/api/convex-token" }) });\nconnectConvex(new ` +
        `ConvexClient("https://happy-otter-123.convex.cloud"), tokens);\n`,
    );
    const meta = join(consumer, "meta.json");
    run(
      join(consumer, "node_modules/.bin/esbuild"),
      [
        "browser.ts",
        "--bundle",
        "--platform=browser",
        "--format=esm",
        "--outfile=out/browser.js",
        `--metafile=${meta}`,
        "--log-level=error",
      ],
      consumer,
    );
    const inputs = Object.keys((JSON.parse(readFileSync(meta, "utf8")) as { inputs: Record<string, unknown> }).inputs);
    expect(inputs.some((input) => input.includes("node_modules/convex-custom-jwt/dist/"))).toBe(true);
    const bundle = readFileSync(join(consumer, "out/browser.js"), "utf8");
    const nodeBuiltin = "node:[\\w/]+|fs|path|os|crypto|http|https|net|tls|stream|child_process|worker_threads";
    const builtins = bundle.match(new RegExp(`(?:require\\(|from\\s*|import\\()\\s*["'](${nodeBuiltin})["']`, "g"));
    expect(builtins).toBeNull();
  });
});

describe("a clean checkout, as a git install gets it", () => {
  // A git install (`npm install github:…`) clones the repository, which has no dist/, and runs `prepare`
  // there before packing. Doing the same by hand (with the repository's node_modules linked in, instead of
  // a second install of every devDependency) proves that `prepare` alone builds every entry.
  it("builds dist/ with prepare, so every entry imports", () => {
    const clone = join(scratch, "clone");
    run("git", ["clone", "--quiet", "--depth", "1", `file://${root}`, clone], scratch);
    expect(existsSync(join(clone, "dist"))).toBe(false);
    symlinkSync(join(root, "node_modules"), join(clone, "node_modules"), "dir");
    const tarball = run("npm", ["pack", "--pack-destination", scratch], clone).trim().split("\n").at(-1)!;
    const consumer = project("git-consumer");
    const needed = companions.filter((c) => /^(convex|react|msw)@/.test(c));
    run("npm", ["install", "--no-audit", "--no-fund", join(scratch, tarball), ...needed], consumer);
    for (const entry of entries) {
      const out = run(
        "node",
        [
          "--input-type=module",
          "-e",
          `const m = await import(${JSON.stringify(entry)}); console.log(Object.keys(m).length)`,
        ],
        consumer,
      );
      expect(Number(out.trim()), entry).toBeGreaterThan(0);
    }
  });
});
