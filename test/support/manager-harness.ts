/**
 * A scripted fetcher and helpers for driving a TokenManager under vitest's fake timers.
 */
import { vi } from "vitest";
import type { FetchContext } from "../../src/types";
import { unsignedJwt } from "./issuer";

export type Outcome =
  | { kind: "token"; lifetimeSec?: number; sub?: string; iatOffsetSec?: number; claims?: Record<string, unknown> }
  | { kind: "raw"; value: unknown }
  | { kind: "null" }
  | { kind: "throw"; error: unknown }
  | { kind: "hang" };

let serial = 0;

/** An unsigned JWT minted "now" on the fake clock (jwt-decode does not verify signatures). */
export function mintToken(lifetimeSec = 900, opts: { sub?: string; iatOffsetSec?: number; claims?: Record<string, unknown> } = {}): string {
  const iat = Math.floor(Date.now() / 1000) + (opts.iatOffsetSec ?? 0);
  return unsignedJwt({ sub: opts.sub ?? "user_1", iss: "https://issuer.test", aud: "convex", iat, exp: iat + lifetimeSec, jti: `t${++serial}`, ...opts.claims });
}

/**
 * A fetcher whose outcomes are scripted: each call takes the next queued outcome, or the default
 * (a fresh 15-minute token). Records every call's context.
 */
export function scriptedFetcher(defaultOutcome: Outcome = { kind: "token" }) {
  const queue: Outcome[] = [];
  const calls: FetchContext[] = [];
  const issued: string[] = [];
  let fallback = defaultOutcome;
  const fetcher = vi.fn(async (context: FetchContext): Promise<string | null | { token: string }> => {
    calls.push(context);
    const outcome = queue.shift() ?? fallback;
    switch (outcome.kind) {
      case "token": {
        const token = mintToken(outcome.lifetimeSec ?? 900, outcome);
        issued.push(token);
        return token;
      }
      case "raw":
        return outcome.value as string;
      case "null":
        return null;
      case "throw":
        throw outcome.error;
      case "hang":
        return new Promise((_, reject) => {
          context.signal.addEventListener("abort", () => reject(context.signal.reason), { once: true });
        });
    }
  });
  return {
    fetcher,
    calls,
    issued,
    /** Queue outcomes for the next calls. */
    next(...outcomes: Outcome[]) {
      queue.push(...outcomes);
    },
    /** Change what every later (unqueued) call does. */
    always(outcome: Outcome) {
      fallback = outcome;
    },
  };
}

/** An HTTP-like error with a status, as a custom fetcher might throw. */
export function httpError(status: number, retryAfterMs?: number): Error & { status: number; retryAfterMs?: number } {
  return Object.assign(new Error(`HTTP ${status}`), { status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
}
