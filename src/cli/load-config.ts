/**
 * Load the providers of a `convex/auth.config.{ts,js,mjs,cjs}` on a plain Node (≥ 20) install.
 *
 * JavaScript configs are imported as they are. A TypeScript config is bundled with the `esbuild` of the
 * user's project (every Convex project has it: the `convex` package depends on it), of the working
 * directory, or next to this CLI; without esbuild, Node's built-in type stripping is tried (Node ≥ 22.18);
 * otherwise the error says to install esbuild, use a .js config, or pass the provider as flags.
 *
 * @internal
 * @module
 */
import { existsSync } from "node:fs";
import { mkdir, unlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** How to get past a config that does not load. */
const OR_FLAGS = "or give the provider as flags (--issuer, --jwks, --application-id, --algorithm)";

/** A config that could not be loaded, with what to do. */
export class ConfigLoadError extends Error {
  readonly code = "ERR_CONFIG_LOAD";
  override name = "ConfigLoadError";
}

type EsbuildLike = {
  build(options: Record<string, unknown>): Promise<{ outputFiles?: { text: string }[] }>;
};

async function findEsbuild(configPath: string): Promise<EsbuildLike | undefined> {
  // The config's project first, then the working directory, then this CLI's own install.
  const bases = [
    configPath,
    join(process.cwd(), "package.json"),
    ...(process.argv[1] ? [resolve(process.argv[1])] : []),
  ];
  for (const from of bases) {
    try {
      const resolved = createRequire(from).resolve("esbuild");
      const mod = (await import(pathToFileURL(resolved).href)) as EsbuildLike & { default?: EsbuildLike };
      const esbuild = typeof mod.build === "function" ? mod : mod.default;
      if (esbuild && typeof esbuild.build === "function") return esbuild;
    } catch {
      // not installed there
    }
  }
  return undefined;
}

/** `<project>/node_modules/.cache/convex-custom-jwt` (bare imports resolve from there), else the config's folder. */
async function scratchDir(configPath: string): Promise<string> {
  for (let dir = dirname(configPath); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "node_modules"))) {
      const scratch = join(dir, "node_modules", ".cache", "convex-custom-jwt");
      try {
        await mkdir(scratch, { recursive: true });
        return scratch;
      } catch {
        break;
      }
    }
    if (dirname(dir) === dir) break;
  }
  return dirname(configPath);
}

async function importFile(path: string): Promise<unknown> {
  const mod = (await import(`${pathToFileURL(path).href}?t=${Date.now()}`)) as { default?: unknown };
  return mod.default ?? mod;
}

/** Import the config file and return its default export (the `AuthConfig` object). */
export async function loadAuthConfig(file: string): Promise<unknown> {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw new ConfigLoadError(
      `${file}: no such file. Pass the path of your convex/auth.config.ts (or .js), ${OR_FLAGS}.`,
    );
  }
  if (!/\.(c|m)?ts$/.test(path)) {
    try {
      return await importFile(path);
    } catch (err) {
      throw new ConfigLoadError(`${file} could not be loaded (${(err as Error).message}): fix it, ${OR_FLAGS}.`);
    }
  }
  const esbuild = await findEsbuild(path);
  if (esbuild) {
    let code: string;
    try {
      const result = await esbuild.build({
        entryPoints: [path],
        bundle: true,
        packages: "external",
        platform: "node",
        format: "esm",
        target: "node20",
        write: false,
        logLevel: "silent",
      });
      code = result.outputFiles?.[0]?.text ?? "";
    } catch (err) {
      throw new ConfigLoadError(
        `${file} could not be compiled with esbuild (${(err as Error).message}): fix it, ${OR_FLAGS}.`,
      );
    }
    // Where the project's packages resolve from, but outside convex/ (Convex must never see the file).
    const tmp = join(await scratchDir(path), `.${basename(path)}.doctor-${process.pid}-${Date.now()}.mjs`);
    await writeFile(tmp, code);
    try {
      return await importFile(tmp);
    } catch (err) {
      throw new ConfigLoadError(
        `${file} could not be loaded (${(err as Error).message}): fix it (set the environment variables it reads ` +
          `in your shell), ${OR_FLAGS}.`,
      );
    } finally {
      await unlink(tmp).catch(() => {});
    }
  }
  try {
    return await importFile(path); // Node ≥ 22.18 strips types itself
  } catch (err) {
    throw new ConfigLoadError(
      `${file} is TypeScript and no esbuild was found to compile it (${(err as Error).message}). ` +
        `Install esbuild in your project (npm i -D esbuild), pass a .js config, ${OR_FLAGS}.`,
    );
  }
}
