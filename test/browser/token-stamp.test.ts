/**
 * The pure helpers cross-tab compares tokens with: newer by `iat` then `exp`, and the least validity a
 * joining tab asks of another tab's token (the core's default `minValidityMs`, scaled to the lifetime).
 */
import { describe, expect, it } from "vitest";
import { joinFloorMs, newer, stamp } from "../../src/browser/token-stamp";
import { unsignedJwt } from "../../src/testing/unsigned-jwt";

const token = (iat: number, exp: number) => unsignedJwt({ sub: "u", iat, exp });

describe("token stamps", () => {
  it("stamp reads iat and exp, and [0, 0] from garbage", () => {
    expect(stamp(token(100, 1_000))).toEqual([100, 1_000]);
    expect(stamp("not a jwt")).toEqual([0, 0]);
  });

  it("newer compares iat, then exp; anything is newer than nothing", () => {
    expect(newer(token(101, 1_000), token(100, 2_000))).toBe(true);
    expect(newer(token(100, 1_001), token(100, 1_000))).toBe(true);
    expect(newer(token(100, 1_000), token(100, 1_000))).toBe(false);
    expect(newer(token(99, 5_000), token(100, 1_000))).toBe(false);
    expect(newer(token(1, 2), undefined)).toBe(true);
  });

  it("joinFloorMs is 10 s, scaled down to 10% of a short token's lifetime", () => {
    expect(joinFloorMs(token(0, 900))).toBe(10_000);
    expect(joinFloorMs(token(0, 60))).toBe(6_000);
    expect(joinFloorMs(token(0, 15))).toBe(1_500);
    expect(joinFloorMs("not a jwt")).toBe(0);
  });
});
