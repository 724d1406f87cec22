/**
 * The Convex integration tests against another convex version, installed in a scratch folder
 * (`.matrix/convex-<version>/node_modules/convex`, by `.ci/run`), without touching the lockfile's pin.
 *
 *   CONVEX_MATRIX_DIR=.matrix/convex-1.21.0 npx vitest run -c test/convex/vitest.matrix.config.ts
 *
 * Every `convex/<entry>` the tests import is aliased to that copy's file, picked through its own
 * `exports` map with the conditions Node would use (`node`, then `import`).
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import base from "../../vitest.config";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = process.env.CONVEX_MATRIX_DIR;
if (!dir) throw new Error("Set CONVEX_MATRIX_DIR to a folder holding node_modules/convex (see .ci/run).");
const pkgDir = resolve(root, dir, "node_modules/convex");
if (!existsSync(join(pkgDir, "package.json"))) throw new Error(`No convex package in ${pkgDir}: install it first.`);
const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as {
  version: string;
  exports: Record<string, unknown>;
};

/** Follow an exports entry with Node's ESM conditions. */
function pick(entry: unknown): string | undefined {
  if (typeof entry === "string") return entry;
  if (!entry || typeof entry !== "object") return undefined;
  const map = entry as Record<string, unknown>;
  for (const condition of ["node", "import", "default"]) if (condition in map) return pick(map[condition]);
  return undefined;
}

const entries = ["browser", "react", "server", "values"].map((name) => {
  const file = pick(pkg.exports[`./${name}`]);
  if (!file) throw new Error(`convex@${pkg.version} has no ./${name} entry`);
  return { find: new RegExp(`^convex/${name}$`), replacement: join(pkgDir, file) };
});

// Built by hand, not with mergeConfig: mergeConfig would append to `include` instead of replacing it.
const baseAlias = (base.resolve?.alias ?? []) as { find: RegExp | string; replacement: string }[];
export default defineConfig({
  ...base,
  resolve: { ...base.resolve, alias: [...entries, ...baseAlias] },
  test: {
    ...base.test,
    name: `convex@${pkg.version}`,
    include: ["test/convex/**/*.test.ts"],
    env: { CONVEX_VERSION_UNDER_TEST: pkg.version },
  },
});
