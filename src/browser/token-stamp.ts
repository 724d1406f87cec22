/**
 * Pure helpers the cross-tab coordinator uses to compare tokens between tabs: a token's `iat` and `exp`
 * (`stamp`), which of two tokens is newer (`newer`), and the least validity a token another tab hands over
 * must keep to be worth adopting (`joinFloorMs`).
 *
 * @module
 */
import { jwtDecode } from "jwt-decode";
import { MIN_VALIDITY_FRACTION, scaled } from "../core/schedule";

/** The least validity, in ms, a served token keeps by default (the core's `minValidityMs` default). */
const DEFAULT_MIN_VALIDITY_MS = 10_000;

/** `[iat, exp]` of a token in seconds; `[0, 0]` when it cannot be decoded or lacks them. */
export function stamp(token: string): [iat: number, exp: number] {
  try {
    const { iat = 0, exp = 0 } = jwtDecode(token);
    return [iat, exp];
  } catch {
    return [0, 0];
  }
}

/** Whether `a` was issued after `b` (by `iat`, then `exp`); anything is newer than nothing. */
export function newer(a: string, b: string | undefined): boolean {
  if (b === undefined) return true;
  const [ai, ae] = stamp(a);
  const [bi, be] = stamp(b);
  return ai > bi || (ai === bi && ae > be);
}

/**
 * The least validity (ms) a token handed over by another tab must have left for a joining tab to adopt it:
 * the core's default `minValidityMs` (10 s), scaled down to 10% of the token's lifetime as the core scales
 * it. A token with less left would be refused by the manager as too short-lived, so the tab fetches instead.
 *
 * @example
 * joinFloorMs(token15min); // 10_000
 * joinFloorMs(token60s);   //  6_000
 */
export function joinFloorMs(token: string): number {
  const [iat, exp] = stamp(token);
  return scaled(DEFAULT_MIN_VALIDITY_MS, Math.max(0, exp - iat) * 1000, MIN_VALIDITY_FRACTION);
}
