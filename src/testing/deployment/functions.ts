/**
 * The deployment's functions: path canonicalization, the built-ins, and running one with an identity.
 *
 * @internal
 * @module
 */
import { convexToJson, jsonToConvex, type JSONValue, type Value } from "convex/values";
import type { Identity } from "./custom-jwt-validator";
import type { FunctionDef } from "./types";
// ---------------------------------------------------------------------------
// Functions
// ---------------------------------------------------------------------------

/** Client-side `canonicalizeUdfPath`: `mod.js:fn` → `mod:fn`, `mod` → `mod:default`. */
export function canonicalUdfPath(path: string): string {
  const i = path.lastIndexOf(":");
  let [mod, fn] = i < 0 ? [path, "default"] : [path.slice(0, i), path.slice(i + 1)];
  if (mod.endsWith(".js")) mod = mod.slice(0, -3);
  return `${mod}:${fn}`;
}

export function builtinFunctions(messages: { author: string | null; body: string }[]): Record<string, FunctionDef> {
  return {
    "auth:whoami": { type: "query", handler: ({ identity }) => identity },
    "messages:list": { type: "query", handler: () => messages.map((m) => ({ ...m })) },
    "messages:send": {
      type: "mutation",
      handler: ({ identity }, { body }: { body: string }) => {
        messages.push({ author: (identity?.subject as string | undefined) ?? null, body });
        return null;
      },
    },
    "auth:echo": { type: "action", handler: ({ identity }) => ({ subject: identity?.subject ?? null }) },
  };
}

export type UdfResult = { ok: true; value: JSONValue } | { ok: false; message: string; errorData?: JSONValue };

const capitalize = (s: string) => s[0]!.toUpperCase() + s.slice(1);

export async function runFunction(
  functions: Record<string, FunctionDef>,
  udfPath: string,
  expected: FunctionDef["type"] | "any",
  identity: Identity | null,
  encodedArgs: unknown,
): Promise<UdfResult> {
  const fn = functions[udfPath];
  if (!fn) return { ok: false, message: `Could not find public function for '${udfPath}'.` };
  if (expected !== "any" && fn.type !== expected) {
    const [mod, name] = udfPath.split(":");
    return {
      ok: false,
      message:
        `Trying to execute ${mod}.js:${name} as ${capitalize(expected)}, but it is defined as ` +
        `${capitalize(fn.type)}.`,
    };
  }
  try {
    const args = jsonToConvex((encodedArgs ?? {}) as JSONValue);
    const value = await fn.handler({ identity: identity ? { ...identity.attributes } : null }, args);
    return { ok: true, value: convexToJson((value ?? null) as Value) };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const data = (e as { data?: unknown }).data;
    return {
      ok: false,
      message: `Uncaught ${e.name}: ${e.message}`,
      ...(data !== undefined ? { errorData: convexToJson(data as Value) } : {}),
    };
  }
}

/** `errorData` of a failed function result, as a spreadable object. */
export const errorData = (r: UdfResult) => (!r.ok && r.errorData !== undefined ? { errorData: r.errorData } : {});
