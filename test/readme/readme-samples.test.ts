/**
 * Every ```ts and ```tsx block of README.md compiles, with its own imports, as a user would paste it.
 *
 * Each block is written to a scratch project under node_modules/.cache (so `convex`, `react` and the
 * other installed packages resolve) and typechecked strictly, with `convex-custom-jwt` mapped to the
 * sources. A block whose first line is a path comment (`// convex/users.ts`) is written at that path,
 * so Convex's usual relative imports work; the project has the two files `npx convex dev` generates,
 * `convex/_generated/api.ts` and `convex/_generated/server.ts` (typed loosely, as before codegen), and the
 * types of the one piece of React Native the Expo recipe imports (`AppState`; react-native is not installed).
 *
 * Guards against samples that miss an import (`api`), use an undeclared global (`import.meta.env` with
 * no Vite types), or call an API that no longer exists.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const readme = readFileSync(join(root, "README.md"), "utf8");

interface Sample {
  index: number;
  line: number;
  lang: "ts" | "tsx";
  path: string;
  code: string;
}

/** The fenced ts/tsx blocks of a markdown text, with the line each starts on. */
export function samplesOf(markdown: string): Sample[] {
  const samples: Sample[] = [];
  const fence = /^```(tsx|ts|typescript)[^\n]*\n([\s\S]*?)^```/gm;
  for (const match of markdown.matchAll(fence)) {
    const lang = match[1] === "tsx" ? "tsx" : "ts";
    const code = match[2]!;
    const index = samples.length;
    const named = /^\/\/ ((?:convex|src)\/[\w./-]+\.tsx?)\s*$/m.exec(code.split("\n")[0] ?? "");
    samples.push({
      index,
      line: markdown.slice(0, match.index).split("\n").length,
      lang,
      path: named ? named[1]! : `src/sample-${index}.${lang}`,
      code,
    });
  }
  return samples;
}

const GENERATED = {
  "convex/_generated/api.ts":
    'import { anyApi } from "convex/server";\nexport const api = anyApi;\nexport const internal = anyApi;\n',
  "convex/_generated/server.ts":
    "export { queryGeneric as query, mutationGeneric as mutation, actionGeneric as action, httpActionGeneric as " +
    'httpAction } from "convex/server";\n',
  // An ambient module (no top-level import or export): AppState as react-native's AppState.d.ts types it.
  "react-native.d.ts":
    'declare module "react-native" {\n  export const AppState: {\n    currentState: "active" | "background" | ' +
    '"inactive" | "unknown" | "extension";\n    addEventListener(type: "change" | "memoryWarning" | "blur" | ' +
    '"focus", listener: (state: string) => void): { remove(): void };\n  };\n}\n',
};

describe("README.md samples", () => {
  const samples = samplesOf(readme);

  it("has samples, each a module with its own imports (no two written to one path)", () => {
    expect(samples.length).toBeGreaterThanOrEqual(5);
    expect(new Set(samples.map((s) => s.path)).size).toBe(samples.length);
  });

  it("compiles every ts/tsx block under strict TypeScript", () => {
    const dir = join(root, "node_modules/.cache/readme-samples");
    rmSync(dir, { recursive: true, force: true });
    const files: string[] = [];
    const write = (path: string, text: string) => {
      const file = join(dir, path);
      mkdirSync(dirname(file), { recursive: true });
      // `export {}` keeps a sample without imports a module, as it would be in a real project.
      writeFileSync(file, /^\s*(import|export)\b/m.test(text) ? text : `${text}\nexport {};\n`);
      files.push(file);
    };
    for (const [path, text] of Object.entries(GENERATED)) write(path, text);
    for (const sample of samples) write(sample.path, sample.code);

    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      jsx: ts.JsxEmit.ReactJSX,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      esModuleInterop: true,
      types: ["node"],
      typeRoots: [join(root, "node_modules/@types")],
      paths: {
        "convex-custom-jwt": [join(root, "src/index.ts")],
        "convex-custom-jwt/*": [join(root, "src/*/index.ts")],
      },
    };
    const program = ts.createProgram(files, options);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file === undefined || d.file.fileName.startsWith(dir))
      .map((d) => {
        const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
        if (!d.file || d.start === undefined) return text;
        const { line } = d.file.getLineAndCharacterOfPosition(d.start);
        const rel = d.file.fileName.slice(dir.length + 1);
        const sample = samples.find((s) => s.path === rel);
        return sample ? `README.md:${sample.line + 1 + line} (${rel}): ${text}` : `${rel}:${line + 1}: ${text}`;
      });
    expect(problems).toEqual([]);
    // One TypeScript program over every sample (the Next.js ones load next's types): 15-30 s on 2 busy cores.
  }, 90_000);
});
