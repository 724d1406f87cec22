/**
 * The cross-tab messages as read off the channel: another key's message, or a malformed one, is nothing;
 * an answer without its question id or with no validity left is nothing. Guards against tabs of two keys
 * mixing tokens (peer-token-managers.md pain point 1: a token from the wrong session signs a user out).
 */
import { describe, expect, it } from "vitest";
import { readMessage } from "../../src/browser/cross-tab-channel";

describe("readMessage", () => {
  it("reads the four messages of its key", () => {
    expect(readMessage({ key: "app", token: "t" }, "app")).toEqual({ kind: "token", token: "t" });
    expect(readMessage({ key: "app", signOut: true }, "app")).toEqual({ kind: "signOut" });
    expect(readMessage({ key: "app", ask: "q1" }, "app")).toEqual({ kind: "ask", id: "q1" });
    expect(readMessage({ key: "app", to: "q1", token: "t", validForMs: 5 }, "app")).toEqual({
      kind: "answer",
      to: "q1",
      token: "t",
      validForMs: 5,
    });
  });

  it("ignores another key's messages and anything malformed", () => {
    for (const data of [
      { key: "other", token: "t" },
      { key: "other", signOut: true },
      { key: "other", ask: "q1" },
      { token: "t" },
      { key: "app", token: 42 },
      { key: "app", ask: 42 },
      { key: "app", to: "q1", token: "t" },
      { key: "app", to: "q1", token: "t", validForMs: 0 },
      { key: "app", to: "q1", token: "t", validForMs: Number.NaN },
      { key: "app", to: 7, token: "t", validForMs: 5 },
      null,
      "app",
      undefined,
    ]) {
      expect(readMessage(data, "app")).toBeUndefined();
    }
  });
});
