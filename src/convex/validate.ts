/**
 * Argument checks of the Convex and React adapters. They run before anything is registered, so a wrong call
 * leaves no listener behind. Each `TypeError` names the argument or option, says what is accepted and what
 * the app should do, and never shows a string it was given (it may be a token or a URL with credentials).
 *
 * @module
 */
import { CONVEX_CLIENT_REFRESH_LEEWAY_SECONDS } from "../core/convex-time-rules";
import type { TokenSource } from "./types";

/** The methods the adapters call on a token manager. */
const TOKEN_SOURCE_METHODS = ["getToken", "peekToken", "getSnapshot", "subscribe", "on", "off"] as const;

/** Convex's default `authRefreshTokenLeewaySeconds`. */
export const CONVEX_DEFAULT_LEEWAY_SECONDS = CONVEX_CLIENT_REFRESH_LEEWAY_SECONDS;

/** The default `answerWithinMs`: the manager's default `fetchTimeoutMs`. */
export const DEFAULT_ANSWER_WITHIN_MS = 10_000;

const DAY_MS = 86_400_000;

/** True when `value` is an object (or function) with a method of each of these names. */
export function hasMethods(value: unknown, names: readonly string[]): boolean {
  if (value === null || value === undefined) return false;
  const record = value as Record<string, unknown>;
  return names.every((name) => typeof record[name] === "function");
}

/**
 * How a bad value is shown in a message: `null`, `undefined`, numbers and booleans as they are; anything
 * else by its kind only (a string may be a token or a URL with credentials).
 */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined || typeof value === "number" || typeof value === "boolean") {
    return String(value);
  }
  if (Array.isArray(value)) return "an array";
  const kind = typeof value;
  return kind === "object" ? "an object" : `a ${kind}`;
}

/**
 * Throw the adapters' `TypeError`: `where: \`name\` must be what; got <value>. What to do.`
 *
 * @param where The API the app called (`connectConvex`, `useConvexCustomJwt`, …).
 * @param name The argument, option or prop, by its full path.
 */
export function fail(where: string, name: string, what: string, got: string, todo: string): never {
  throw new TypeError(`${where}: \`${name}\` must be ${what}; got ${got}. ${todo}`);
}

/** Throw a `TypeError` naming the missing methods unless `manager` has what the adapters call on it. */
export function assertTokenSource(manager: unknown, where: string): asserts manager is TokenSource {
  if (hasMethods(manager, TOKEN_SOURCE_METHODS)) return;
  const missing = TOKEN_SOURCE_METHODS.filter((name) => !hasMethods(manager, [name]));
  const got =
    typeof manager === "object" && manager !== null
      ? `an object without ${missing.map((name) => `${name}()`).join(", ")}`
      : describeValue(manager);
  fail(
    where,
    "manager",
    "a token manager (what createTokenManager() returns, or another TokenSource)",
    got,
    "Pass the manager your app created with createTokenManager().",
  );
}

/** Check Convex's `authRefreshTokenLeewaySeconds` as passed to `where`; returns it in ms (10 s if left out). */
export function leewayMsOf(value: unknown, where: string): number {
  if (value === undefined) return CONVEX_DEFAULT_LEEWAY_SECONDS * 1000;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    fail(
      where,
      "authRefreshTokenLeewaySeconds",
      "a number of seconds >= 0, the value of the Convex client's option of the same name",
      describeValue(value),
      "Pass the value your Convex client was created with, or leave it out for Convex's default of " +
        `${CONVEX_DEFAULT_LEEWAY_SECONDS}.`,
    );
  }
  return value * 1000;
}

/** Check `answerWithinMs` as passed to `where`; returns it (10 s if left out). */
export function answerWithinMsOf(value: unknown, where: string): number {
  if (value === undefined) return DEFAULT_ANSWER_WITHIN_MS;
  if (typeof value !== "number" || !(value >= 1 && value <= DAY_MS)) {
    fail(
      where,
      "answerWithinMs",
      `a number of milliseconds from 1 to ${DAY_MS}`,
      describeValue(value),
      "Set it to your token manager's `fetchTimeoutMs`, or leave it out for the default of " +
        `${DEFAULT_ANSWER_WITHIN_MS}.`,
    );
  }
  return value;
}

/** Check `connectConvex`'s `onChange` option; returns it (a no-op if left out). */
export function onChangeOf(value: unknown, where: string): (isAuthenticated: boolean) => void {
  if (value === undefined) return () => {};
  if (typeof value !== "function") {
    fail(
      where,
      "onChange",
      "a function (isAuthenticated: boolean) => void",
      describeValue(value),
      "Pass a function, or leave `onChange` out.",
    );
  }
  return value as (isAuthenticated: boolean) => void;
}
