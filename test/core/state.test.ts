/**
 * The state machine's pure helpers: what the one timer means, what a caller's demand starts and what an
 * outside signal brings forward, in each state (each an exhaustive switch over the states).
 */
import { describe, expect, it } from "vitest";
import {
  demandReason,
  dueOnSignal,
  failsFast,
  timerOf,
  type Held,
  type Retrying,
  type State,
} from "../../src/core/state";
import { held } from "./held-fixture";

const fetching: State = {
  status: "fetching",
  token: held,
  reason: "scheduled",
  attempt: 1,
  controller: new AbortController(),
  deadline: 1_810_000,
};
const retrying = (retryAt: number, token: Held | undefined = held): State => ({
  status: "retrying",
  token,
  attempt: 2,
  error: new Error("down"),
  retryAt,
  roundOver: false,
});
const statuses = ["idle", "fetching", "valid", "retrying", "signedOut", "disposed"] as const;

describe("timerOf", () => {
  it("is the fetch timeout, the planned refresh, or the next try (the held token's expiry if sooner)", () => {
    expect(timerOf({ status: "idle" })).toBeNull();
    expect(timerOf(fetching)).toBe(1_810_000);
    expect(timerOf({ status: "valid", token: held })).toBe(1_800_000);
    expect(timerOf(retrying(1_850_000))).toBe(1_850_000);
    expect(timerOf(retrying(1_950_000))).toBe(1_900_000);
    const offlineWithoutToken: State = { ...(retrying(Infinity) as Retrying), token: undefined };
    expect(timerOf(offlineWithoutToken)).toBeNull(); // no timer: the next try waits for "online"
    expect(timerOf({ status: "signedOut" })).toBeNull();
    expect(timerOf({ status: "disposed" })).toBeNull();
  });
});

describe("demandReason", () => {
  it("starts the first fetch when idle, a forced or scheduled one when valid, and nothing otherwise", () => {
    expect(statuses.map((status) => demandReason(status, false))).toEqual([
      "initial",
      null,
      "scheduled",
      null,
      null,
      null,
    ]);
    expect(demandReason("valid", true)).toBe("forced");
    expect(demandReason("idle", true)).toBe("initial");
  });
});

describe("dueOnSignal", () => {
  it("a valid token is refreshed from its refresh point on, attempt 1", () => {
    const valid: State = { status: "valid", token: held };
    expect(dueOnSignal(valid, "focus", 1_799_999)).toBeNull();
    expect(dueOnSignal(valid, "focus", 1_800_000)).toBe(1);
    expect(dueOnSignal(valid, "online", 1_800_000)).toBe(1);
  });

  it("a planned retry is made when due, or at once when the network is back, as the next attempt", () => {
    expect(dueOnSignal(retrying(1_850_000), "wake", 1_840_000)).toBeNull();
    expect(dueOnSignal(retrying(1_850_000), "wake", 1_850_000)).toBe(3);
    expect(dueOnSignal(retrying(Infinity), "online", 1_840_000)).toBe(3);
  });

  it("brings nothing forward while idle, fetching, signed out or disposed", () => {
    for (const state of [{ status: "idle" }, fetching, { status: "signedOut" }, { status: "disposed" }] as State[])
      expect(dueOnSignal(state, "online", 9e15)).toBeNull();
  });
});

describe("failsFast", () => {
  it("a caller waits for a try due within its wait bound, unless the round is over (issue 14)", () => {
    const next = retrying(1_850_000) as Retrying;
    expect(failsFast(next, 1_830_000, 10_000)).toBe(true); // 20 s away
    expect(failsFast(next, 1_840_000, 10_000)).toBe(false); // 10 s away
    expect(failsFast({ ...next, roundOver: true }, 1_849_000, 10_000)).toBe(true);
    expect(failsFast({ ...next, retryAt: Infinity }, 1_840_000, 10_000)).toBe(true); // offline
  });
});
