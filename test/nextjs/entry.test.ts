/**
 * The `/nextjs` entry loads without `next` (an optional peer, imported at call time only), and pulls in
 * nothing from the testing kit, the server helpers or jose. Checked on the sources' import graph with
 * esbuild, before any build.
 */
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

it("imports next/server dynamically only, and nothing from /testing, /server or jose", async () => {
  const result = await build({
    entryPoints: ["src/nextjs/index.ts"],
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "esm",
    logLevel: "silent",
    external: ["convex", "convex/*", "react", "next", "next/*"],
  });
  const { inputs } = result.metafile!;
  const imports = Object.values(inputs).flatMap((input) => input.imports);
  const next = imports.filter((i) => i.path === "next" || i.path.startsWith("next/"));
  expect(next.map((i) => [i.path, i.kind])).toEqual([["next/server", "dynamic-import"]]);
  expect(Object.keys(inputs).filter((f) => /src\/(testing|server|cli)\/|node_modules\/jose\//.test(f))).toEqual([]);
});
