/**
 * `HotPath`: the cached `getToken()`'s copy of the held token, read with one wall-clock reading and two
 * comparisons (see "The hot path" in ARCHITECTURE.md).
 *
 * @module
 */
import type { Timeline } from "./clock";
import type { Held } from "./state";

/**
 * The held token and, on the wall clock, until when it may be served without a look: `floor ≤ now < until`.
 * `floor` is the wall clock at the time line's last reading: a reading below it means the clock went back,
 * and the slow path re-anchors. Refreshed on every reading of the time line.
 */
export class HotPath {
  raw = "";
  /** The held token's refresh point on the wall clock (`-Infinity` without a token). */
  until = -Infinity;
  floor = Infinity;

  /** Copy `token` (the state's, if any) at the time line's last reading. */
  update(token: Held | undefined, time: Timeline): void {
    this.raw = token?.raw ?? "";
    this.until = token ? time.toWall(token.refreshAt) : -Infinity;
    this.floor = time.floor;
  }
}
