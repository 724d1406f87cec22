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

/** Whether `value` has a `fetchTimeoutMs` the adapters can wait: a number of milliseconds >= 1. */
function hasFetchTimeout(value: unknown): boolean {
  const ms = (value as { fetchTimeoutMs?: unknown } | null | undefined)?.fetchTimeoutMs;
  return typeof ms === "number" && ms >= 1 && ms < Number.POSITIVE_INFINITY;
}

/**
 * Throw a `TypeError` naming what is missing unless `manager` has what the adapters use: its methods, and
 * its `fetchTimeoutMs` (how long they wait for a token while Convex's socket is paused or stopped).
 */
export function assertTokenSource(manager: unknown, where: string): asserts manager is TokenSource {
  if (hasMethods(manager, TOKEN_SOURCE_METHODS) && hasFetchTimeout(manager)) return;
  const missing = TOKEN_SOURCE_METHODS.filter((name) => !hasMethods(manager, [name])).map((name) => `${name}()`);
  if (!hasFetchTimeout(manager)) missing.push("a `fetchTimeoutMs` of 1 ms or more");
  const got =
    typeof manager === "object" && manager !== null
      ? `an object without ${missing.join(", ")}`
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

/**
 * Throw a `TypeError` if the app still passes `answerWithinMs`, an option that is gone: how long the adapters
 * wait for a token is the manager's `fetchTimeoutMs`.
 */
export function rejectAnswerWithinMs(options: object, where: string): void {
  if (!("answerWithinMs" in options)) return;
  throw new TypeError(
    `${where}: \`answerWithinMs\` is no longer an option: how long Convex waits for a token is now read from ` +
      "the token manager's `fetchTimeoutMs`. Remove `answerWithinMs` from this call, and set `fetchTimeoutMs` " +
      "in createTokenManager() if its default of 10000 ms does not suit the app.",
  );
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
