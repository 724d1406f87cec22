/**
 * What a fetcher knows of its client: the token it holds (only the answers Convex took), Convex's start, a
 * told rejection, and the call Convex waits on (a later call supersedes it: Convex drops its answer).
 */
import { describe, expect, it } from "vitest";
import { ClientRecord } from "../../src/convex/client-record";

const S = 1_000;
const MIN = 60 * S;
const NOW = Date.UTC(2026, 0, 1, 12);
const times = { issuedAt: NOW, expiresAt: NOW + 15 * MIN };

describe("ClientRecord", () => {
  it("tells Convex's start, then its scheduled refetch of what it was handed, and records the hand-over", () => {
    const record = new ClientRecord(10 * S);
    const cached = record.ask(false, NOW);
    expect(cached.how).toBe("start");
    record.answered(cached, false, null, NOW, times);
    const start = record.ask(true, NOW);
    expect(start.how).toBe("start");
    expect(record.answering).toBe(true);
    record.answered(start, true, "A", NOW, times);
    expect(record.held).toBe("A");
    expect(record.answering).toBe(false);
    expect(record.ask(true, NOW + 15 * MIN - 13 * S - 1).how).toBe("rejected");
    expect(record.ask(true, NOW + 15 * MIN - 13 * S).how).toBe("scheduled");
  });

  it("an unforced call's null leaves the client's token (Convex keeps it through setConfig)", () => {
    const record = new ClientRecord(10 * S);
    record.answered(record.ask(true, NOW), true, "A", NOW, times);
    record.answered(record.ask(false, NOW), false, null, NOW, times);
    expect(record.held).toBe("A");
  });

  it("a told rejection, and a null or the rejected token again: the client holds nothing, and is not rejected", () => {
    for (const answer of [null, "A"]) {
      const record = new ClientRecord(10 * S);
      record.answered(record.ask(true, NOW), true, "A", NOW, times);
      record.rejected = true;
      const call = record.ask(true, NOW + MIN);
      expect(call.how).toBe("rejected");
      record.answered(call, true, answer, NOW + MIN, times);
      expect(record.held).toBeNull();
      expect(record.rejected).toBe(false);
    }
  });

  it("a later call supersedes the one under way: its answer is not recorded", () => {
    const record = new ClientRecord(10 * S);
    const scheduled = record.ask(true, NOW);
    const rejected = record.ask(true, NOW);
    expect(scheduled.superseded.aborted).toBe(true);
    expect(rejected.superseded.aborted).toBe(false);
    record.answered(scheduled, true, "late", NOW, times);
    expect(record.held).toBeNull();
    expect(record.answering).toBe(true);
    record.answered(rejected, true, "B", NOW, times);
    expect(record.held).toBe("B");
  });

  it("release(): the call under way is superseded, and the client holds nothing", () => {
    const record = new ClientRecord(10 * S);
    record.answered(record.ask(true, NOW), true, "A", NOW, times);
    const call = record.ask(true, NOW);
    record.release();
    expect(call.superseded.aborted).toBe(true);
    expect(record.held).toBeNull();
    expect(record.answering).toBe(false);
  });
});
